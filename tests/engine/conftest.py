import pytest

from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext
from tests.engine.synthetic import datasets, prediction_columns


def context_for(data, *, task: str = "binary", sensitive=("region",), **options):
    """A predictions-only context over synthetic datasets."""
    prediction, probabilities = prediction_columns(task)
    return EvaluationContext(
        evaluation=data.evaluation,
        reference=data.reference,
        train=data.train,
        target="y",
        sensitive=list(sensitive),
        source=ColumnPredictions(prediction, probabilities),
        task=task,
        **options,
    )


@pytest.fixture
def healthy():
    return datasets(0)
