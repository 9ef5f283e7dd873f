"""Where a run's predictions come from: a `PredictionSource`, the sandboxed model
(`runner.ModelSandbox`) or prediction and probability columns of the data itself
(`ColumnPredictions`), and what they hand the evaluation context.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.errors import EngineError


@dataclass
class Predictions:
    """Row-aligned model outputs: labels (or regression values) and, for classifiers that
    give them, probabilities with one column per class of `classes`."""

    labels: NDArray[Any] | None
    probabilities: NDArray[Any] | None = None
    classes: NDArray[Any] | None = None


def joined(parts: Sequence[Predictions]) -> Predictions:
    """The predictions of consecutive parts of a dataset, as one."""
    if len(parts) == 1:
        return parts[0]
    labels = [part.labels for part in parts if part.labels is not None]
    probabilities = [part.probabilities for part in parts if part.probabilities is not None]
    return Predictions(
        labels=np.concatenate(labels) if len(labels) == len(parts) else None,
        probabilities=np.vstack(probabilities) if len(probabilities) == len(parts) else None,
        classes=parts[0].classes,
    )


@dataclass(frozen=True)
class ModelInfo:
    """What the loaded model says about itself."""

    format: str  # "skops", "onnx" or "columns"
    task: str | None = None  # "classification", "regression" or None when unknown
    classes: tuple[Any, ...] | None = None
    feature_names: tuple[str, ...] | None = None
    n_features: int | None = None
    has_probabilities: bool = False
    artifact_bytes: int | None = None


class PredictionSource(Protocol):
    @property
    def info(self) -> ModelInfo | None: ...  # None: a sandbox whose model is not loaded

    def predict(self, frame: pd.DataFrame, features: Sequence[str]) -> Predictions | None: ...


class BackgroundSource(PredictionSource, Protocol):
    """A source that works in the background (the sandboxed model): a request returns a
    ticket at once, and `collect` waits for its answer. The context asks for each method
    by name (`hasattr`), as a source may offer only some."""

    def wait_loaded(self) -> object: ...

    # A Path: a file `staged` for the model before it was needed.
    def predict_later(self, frame: pd.DataFrame | Path, features: Sequence[str]) -> int: ...

    def staged(self, role: str, features: Sequence[str], rows: int) -> list[Path]: ...

    def benchmark_later(
        self,
        frame: pd.DataFrame,
        features: Sequence[str],
        *,
        batch_rows: int,
        repeats: int,
        warmup: int,
    ) -> int: ...

    # Any: Predictions for a ticket of `predict_later`, timings for one of `benchmark_later`.
    def collect(self, ticket: int) -> Any: ...

    def finished(self, ticket: int | None = None) -> bool: ...

    def suspend(self) -> None: ...


class TimingSource(PredictionSource, Protocol):
    """A source that times the model in this process (an in-process estimator)."""

    def benchmark(
        self, frame: pd.DataFrame, features: Sequence[str], **options: int
    ) -> dict[str, Any]: ...


class ColumnPredictions:
    """Predictions-only evaluation: the model's outputs are columns of each dataset.

    For a binary target one probability column is the positive class's probability; for
    more classes, give one column per class in the sorted order of the class labels.
    Without a prediction column, the label is the most probable class.
    """

    def __init__(self, prediction_column: str | None, probability_columns: Sequence[str] = ()):
        if prediction_column is None and not probability_columns:
            raise EngineError("Give a prediction column, probability columns, or a model.")
        self.prediction_column = prediction_column
        self.probability_columns = tuple(probability_columns)
        self.columns = tuple(filter(None, (prediction_column, *self.probability_columns)))
        self.label_columns = (prediction_column,) if prediction_column else ()
        self.info = ModelInfo(format="columns", has_probabilities=bool(probability_columns))

    def predict(self, frame: pd.DataFrame, features: Sequence[str]) -> Predictions | None:
        if not set(self.columns) <= set(frame.columns):
            return None  # this dataset carries no predictions
        labels = None
        if self.prediction_column is not None:
            labels = frame[self.prediction_column].to_numpy()
        probabilities = None
        if self.probability_columns:
            probabilities = frame[list(self.probability_columns)].to_numpy(dtype=float)
            if probabilities.shape[1] == 1:
                probabilities = probabilities[:, 0]
        return Predictions(labels, probabilities, None)
