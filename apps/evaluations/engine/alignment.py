"""A source's outputs in the context's terms: one label per row, and probabilities with one
column per class of the context's classes, in that order (a model's own class order, or
one probability column of the positive class, are mapped onto them)."""

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.sources import Predictions


def aligned(
    predictions: Predictions,
    rows: int,
    task: str,
    classes: NDArray[Any] | None,
    positive_label: Any,
) -> Predictions:
    """`predictions` of `rows` rows with probabilities aligned to `classes` (None exactly
    when the task is regression); labels taken from the probabilities when there are none."""
    if predictions.labels is None:
        probabilities = aligned(
            Predictions(np.zeros(rows), predictions.probabilities, predictions.classes),
            rows,
            task,
            classes,
            positive_label,
        ).probabilities
        if probabilities is None or classes is None:
            raise EngineError(
                "Probability columns alone give no predictions for a regression target; "
                "give a prediction column."
            )
        labels = classes[np.argmax(probabilities, axis=1)]
        return Predictions(labels, probabilities, classes)
    if len(predictions.labels) != rows:
        raise EngineError(
            f"The model returned {len(predictions.labels)} predictions for {rows} rows."
        )
    probabilities = predictions.probabilities
    if task == "regression" or classes is None or probabilities is None:
        return Predictions(predictions.labels, None, classes)
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim == 1:  # one column: the positive class's probability
        if len(classes) != 2:
            raise EngineError(
                "One probability column was given for a target with "
                f"{len(classes)} classes; give one column per class."
            )
        probabilities = np.column_stack([1 - probabilities, probabilities])
        if positive_label is not None and positive_label == classes[0]:
            probabilities = probabilities[:, ::-1]
    source_classes = predictions.classes
    if source_classes is None:
        if probabilities.shape[1] != len(classes):
            raise EngineError(
                f"The model gives {probabilities.shape[1]} probability columns for "
                f"{len(classes)} classes ({_short(classes)})."
            )
        return Predictions(predictions.labels, probabilities, classes)
    positions = pd.Index(comparable(source_classes, classes)).get_indexer(
        comparable(classes, source_classes)
    )
    columns = np.zeros((rows, len(classes)))
    known = positions >= 0
    columns[:, known] = probabilities[:, positions[known]]
    return Predictions(predictions.labels, columns, classes)


def comparable(values: ArrayLike, classes: ArrayLike) -> NDArray[Any]:
    """Labels in the classes' type, so 1.0 read from a gappy CSV matches the class 1."""
    labels = np.asarray(values)
    class_array = np.asarray(classes)
    if class_array.dtype.kind in "iub" and labels.dtype.kind == "f":
        return labels
    if class_array.dtype.kind in "OUS" and labels.dtype.kind not in "OUS":
        return labels.astype(str)
    return labels


def _short(values: Iterable[object], limit: int = 10) -> str:
    texts = [str(value) for value in values]
    return ", ".join(texts[:limit]) + (" …" if len(texts) > limit else "")
