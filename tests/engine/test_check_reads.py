"""A check reads what it declares: taking away what it does not declare (the labels, the
probabilities, the reference or the training data) leaves its measurements as they were,
and asking for predictions it does not declare trips a wire. A run's launch refuses data
without labels on the strength of these declarations."""

import dataclasses
import functools
import json

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext, Predictions
from apps.evaluations.engine.registry import registered_checks
from tests.engine.estimator_source import EstimatorSource, fitted
from tests.engine.synthetic import FEATURES, datasets, prediction_columns

TASKS = ("binary", "multiclass", "regression")
# A check that reads nothing until it is told what to test is tested as it is configured.
CONFIGURED = {"robustness.behaviour": {"increasing": ["score"], "invariant": ["region"]}}
TIMED = {"efficiency.latency", "efficiency.throughput", "efficiency.memory"}  # vary run to run


class PredictionsTripwire(ColumnPredictions):
    def predict(self, frame, features):
        raise AssertionError("the check read predictions it does not declare")


class ColumnsWithoutProbabilities(ColumnPredictions):
    """The same columns, but the model gives no probabilities."""

    def predict(self, frame, features):
        return Predictions(frame[self.prediction_column].to_numpy())


class WithoutProbabilities(EstimatorSource):
    def __init__(self, estimator):
        super().__init__(estimator)
        self.info = dataclasses.replace(self.info, has_probabilities=False)

    def _predict(self, inputs):
        return Predictions(self.estimator.predict(inputs))


@functools.cache
def population(task: str):
    data = datasets(4, rows=600, task=task)
    return data, fitted(data.train, task)


def context_for(check, task: str, without: str | None = None) -> EvaluationContext:
    data, model = population(task)
    frames = {"evaluation": data.evaluation, "reference": data.reference, "train": data.train}
    if without == "labels":
        frames = {role: frame.assign(y=np.nan) for role, frame in frames.items()}
    if without == "reference":
        frames["reference"] = None
    if without == "training":
        frames["train"] = None
    prediction, probabilities = prediction_columns(task)
    if check.needs == "model":
        source = (WithoutProbabilities if without == "probabilities" else EstimatorSource)(model)
    elif without == "probabilities":
        source = ColumnsWithoutProbabilities(prediction, probabilities)
    elif without == "predictions":
        source = PredictionsTripwire(prediction, probabilities)
    else:
        source = ColumnPredictions(prediction, probabilities)
    return EvaluationContext(
        evaluation=frames["evaluation"],
        reference=frames["reference"],
        train=frames["train"],
        target="y",
        sensitive=["region"],
        features=FEATURES,
        source=source,
        task=task,
    )


def measured(check, context) -> str:
    with threadpool_limits(limits=1):  # as `evaluate` runs them
        measurements = check.run(context, check.params_with_defaults(CONFIGURED.get(check.key)))
    return json.dumps([dataclasses.asdict(m) for m in measurements], sort_keys=True, default=str)


def undeclared(check) -> list[str]:
    """What this test can take away from the check that the check does not declare."""
    return [
        name
        for name in ("labels", "probabilities", "reference", "training", "predictions")
        if name not in check.reads and not (name == "predictions" and check.needs == "model")
    ]


CASES = [
    (key, task)
    for key, check in sorted(registered_checks().items())
    for task in TASKS
    if task in check.task_types and key not in TIMED and undeclared(check)
]


@pytest.mark.parametrize(("key", "task"), CASES, ids=[f"{k}-{t}" for k, t in CASES])
def test_what_a_check_does_not_declare_does_not_change_its_measurements(key, task):
    check = registered_checks()[key]
    expected = measured(check, context_for(check, task))

    for name in undeclared(check):
        assert measured(check, context_for(check, task, without=name)) == expected, name
