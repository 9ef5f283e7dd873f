"""What several checks read from the context: labelled rows with the model's outputs,
encoded once per dataset and cached."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from apps.evaluations.engine.context import EvaluationContext


@dataclass
class LabelledOutputs:
    """The rows of one dataset that have a label and a prediction, with the outputs."""

    rows: np.ndarray  # positions in the dataset
    truth: np.ndarray  # regression: float values; classification: raw labels
    predicted: np.ndarray
    true_index: np.ndarray | None = None  # classification: positions in context.classes
    predicted_index: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    unlabelled: int = 0
    unknown_labels: int = 0


def labelled_outputs(context: EvaluationContext, role: str = "evaluation"):
    """LabelledOutputs for a dataset, or a string saying why there are none."""
    return context.cached(("labelled_outputs", role), lambda: _build(context, role))


def _build(context: EvaluationContext, role: str):
    frame = context.frame(role)
    if frame is None:
        return f"No {role} dataset was given."
    if not context.has_labels(role):
        return f"The {role} data has no labels (target column {context.target!r})."
    predictions = context.predictions(role)
    if predictions is None:
        return f"There are no predictions for the {role} data (no model, no prediction column)."
    truth = context.labels(role)
    labelled = truth.notna().to_numpy()
    if context.task == "regression":
        predicted = np.asarray(predictions.labels, dtype=float)
        keep = labelled & np.isfinite(predicted)
        return LabelledOutputs(
            rows=np.flatnonzero(keep),
            truth=pd.to_numeric(truth[keep], errors="coerce").to_numpy(dtype=float),
            predicted=predicted[keep],
            unlabelled=int((~labelled).sum()),
        )
    true_index = context.class_index(truth.to_numpy())
    predicted_index = context.class_index(predictions.labels)
    known = labelled & (true_index >= 0) & (predicted_index >= 0)
    probabilities = predictions.probabilities
    return LabelledOutputs(
        rows=np.flatnonzero(known),
        truth=truth.to_numpy()[known],
        predicted=np.asarray(predictions.labels)[known],
        true_index=true_index[known],
        predicted_index=predicted_index[known],
        probabilities=None if probabilities is None else probabilities[known],
        unlabelled=int((~labelled).sum()),
        unknown_labels=int((labelled & ~known).sum()),
    )


def flagged(positions: np.ndarray, context: EvaluationContext) -> list[int]:
    """Row positions to show, capped at the settings' limit."""
    return [int(p) for p in positions[: context.settings.flagged_rows_limit]]


NAMED_COLUMNS = ["features", "target", "sensitive", "all"]


def selected_columns(context: EvaluationContext, selection) -> list[str]:
    """Columns named by a `columns` parameter: a group name or a list of columns."""
    frame = context.frame("evaluation")
    if isinstance(selection, list):
        missing = [name for name in selection if name not in frame.columns]
        if missing:
            raise ValueError(f"the column(s) {', '.join(missing)} are not in the data")
        return selection
    return {
        "features": context.features,
        "target": [context.target],
        "sensitive": context.sensitive,
        "all": list(frame.columns),
    }[selection]


def normalised_for_hashing(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Columns in one representation per type, so equal values hash equally across files
    (1 read from a gappy CSV is 1.0; a category and a string of the same text agree)."""
    normalised = {}
    for name in columns:
        values = frame[name]
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            normalised[name] = values.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            normalised[name] = values.astype("datetime64[ns]").astype("int64")
        else:
            normalised[name] = values.astype("string")
    return pd.DataFrame(normalised, index=frame.index)


def row_hashes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's values in `columns` (collisions are negligible)."""
    if not columns:
        return np.zeros(len(frame), dtype=np.uint64)
    normalised = normalised_for_hashing(frame, columns)
    return pd.util.hash_pandas_object(normalised, index=False).to_numpy()
