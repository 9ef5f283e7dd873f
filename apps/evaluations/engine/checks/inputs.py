"""What several checks read from the context: labelled rows with the model's outputs,
encoded once per dataset and cached."""

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.errors import EngineError


@dataclass
class LabelledOutputs:
    """The rows of one dataset that have a label and a prediction, with the outputs."""

    rows: NDArray[Any]  # positions in the dataset
    truth: NDArray[Any]  # regression: float values; classification: raw labels
    predicted: NDArray[Any]
    true_index: NDArray[np.intp] | None = None  # classification: positions in context.classes
    predicted_index: NDArray[np.intp] | None = None
    probabilities: NDArray[Any] | None = None
    unlabelled: int = 0
    unknown_labels: int = 0


def class_positions(outputs: LabelledOutputs) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The true and the predicted classes' positions of a classification's outputs."""
    if outputs.true_index is None or outputs.predicted_index is None:
        raise TypeError("a regression's outputs have no class positions")
    return outputs.true_index, outputs.predicted_index


def labelled_outputs(context: EvaluationContext, role: str = "evaluation") -> LabelledOutputs | str:
    """LabelledOutputs for a dataset, or a string saying why there are none."""
    return context.cached(("labelled_outputs", role), lambda: _build(context, role))


def _build(context: EvaluationContext, role: str) -> LabelledOutputs | str:
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
    if known.all():  # the usual case: the predictions themselves, read-only, not copies
        truth_kept = _read_only(truth.to_numpy())
        labels_kept = _read_only(np.asarray(predictions.labels))
        true_kept, predicted_kept = _read_only(true_index), _read_only(predicted_index)
        probabilities_kept = None if probabilities is None else _read_only(probabilities)
    else:
        truth_kept, labels_kept = truth.to_numpy()[known], np.asarray(predictions.labels)[known]
        true_kept, predicted_kept = true_index[known], predicted_index[known]
        probabilities_kept = None if probabilities is None else probabilities[known]
    return LabelledOutputs(
        rows=np.flatnonzero(known),
        truth=truth_kept,
        predicted=labels_kept,
        true_index=true_kept,
        predicted_index=predicted_kept,
        probabilities=probabilities_kept,
        unlabelled=int((~labelled).sum()),
        unknown_labels=int((labelled & ~known).sum()),
    )


def labelled_columns(
    context: EvaluationContext, outputs: LabelledOutputs, columns: list[str]
) -> pd.DataFrame:
    """The evaluation data's `columns` on the labelled rows: the columns themselves when every
    row is labelled (the usual case), so no copy of the frame is made."""
    frame = context.frame("evaluation")[list(dict.fromkeys(columns))]
    if len(outputs.rows) == len(frame):  # rows are ascending and distinct: all of them
        return frame
    return frame.iloc[outputs.rows]


def _read_only(array: NDArray[Any]) -> NDArray[Any]:
    view = array.view()
    view.flags.writeable = False
    return view


def given_frame(context: EvaluationContext, role: str) -> pd.DataFrame:
    """The dataset of a role the check knows was given (by `comparison_role`, say)."""
    frame = context.frame(role)
    if frame is None:
        raise EngineError(f"No {role} dataset was given.")
    return frame


def flagged(positions: NDArray[Any], context: EvaluationContext) -> list[int]:
    """Row positions to show, capped at the settings' limit."""
    return [int(p) for p in positions[: context.settings.flagged_rows_limit]]


def text_value_counts(values: pd.Series, normalize: bool = False) -> pd.Series:
    """Counts of a column's values as text, most frequent first, missing values left out.

    The values are counted first and only the distinct ones become text, instead of a
    string per row (a million of them cost tens of MB the allocator keeps afterwards)."""
    if _mixed_objects(values):
        return values.astype("string").value_counts(normalize=normalize)
    if isinstance(values.dtype, pd.CategoricalDtype):
        counts = values.value_counts(sort=False)
        counts = counts[counts > 0]
        counts.index = pd.Index(counts.index.astype(object), dtype=object).astype("string")
    else:
        counts = values.value_counts(sort=False, dropna=True)
        counts.index = pd.Index(_as_text(counts.index))
    if counts.index.has_duplicates:  # 1 and "1" as categories are one text
        counts = counts.groupby(level=0, sort=False).sum()
    counts = counts.sort_values(ascending=False, kind="stable")
    counts.name = "proportion" if normalize else "count"
    if normalize:
        counts = counts / values.notna().sum()
    return counts


def text_categories(values: pd.Series) -> tuple[pd.Index, NDArray[Any]]:
    """The distinct texts of a column and, per row, its position among them (-1 missing):
    a categorical column's categories in their order, others' texts as first seen."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        texts = pd.Index(values.cat.categories.astype(object), dtype=object).astype("string")
        unique = texts.unique()
        return unique, np.append(unique.get_indexer(texts), -1)[values.cat.codes.to_numpy()]
    return first_seen_texts(values)


def first_seen_texts(values: pd.Series) -> tuple[pd.Index, NDArray[Any]]:
    """The texts of a column's values in the order first seen (categories that occur only),
    and per row its position among them (-1 missing): `pd.factorize` of the column as text,
    without a string per row."""
    if _mixed_objects(values):
        codes, unique = pd.factorize(values.astype("string"))
        return pd.Index(unique), codes
    codes, distinct = pd.factorize(values)
    texts = pd.Index(_as_text(pd.Index(distinct)))
    unique = texts.unique()
    return unique, np.append(unique.get_indexer(texts), -1)[codes]


def _mixed_objects(values: pd.Series) -> bool:
    """Python objects other than strings: values equal as values (1, 1.0, True) may read
    differently as text, so they are made text row by row."""
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in (
        "string",
        "empty",
    )


def _as_text(distinct: pd.Index) -> pd.Series:
    """Distinct values as the text a column of their type gives (a Series keeps the dtype,
    so dates and numbers read as they would row by row)."""
    return pd.Series(distinct, dtype=distinct.dtype).astype("string")


NAMED_COLUMNS = ["features", "target", "sensitive", "all"]


class ColumnSelection:
    """For a check with a `columns` parameter: it reads labels only when the selection
    takes in the target, "all" or "target" (a list of names may, but that is judged
    against the data's own target at run time)."""

    reads: ClassVar[frozenset[str]]

    def reads_with(self, params: dict[str, Any]) -> frozenset[str]:
        takes_target = params.get("columns", "all") in ("all", "target")
        return self.reads if takes_target else self.reads - {"labels"}


def selected_columns(context: EvaluationContext, selection: str | list[str]) -> list[str]:
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


def normalised_column(values: pd.Series) -> Any:
    # Any: a numpy or a pandas array; pandas ships no types here (no pandas-stubs).
    """A column in one representation per type, so equal values hash equally across files
    (1 read from a gappy CSV is 1.0; a category and a string of the same text agree)."""
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]").astype("int64").to_numpy()
    if isinstance(values.dtype, pd.CategoricalDtype):
        # Categories as text with the row codes: hashes equal those of the same texts as
        # strings, without a string per row.
        texts, codes = text_categories(values)
        return pd.Categorical.from_codes(codes, categories=pd.Index(texts.astype(object)))
    return values.astype("string").array


def row_hashes(frame: pd.DataFrame, columns: list[str]) -> NDArray[Any]:
    """A 64-bit hash of each row's values in `columns` (collisions are negligible).

    pandas' row hash (`hash_pandas_object` of a frame), computed one column at a time so
    no normalised copy of the whole frame is held."""
    combined = np.full(len(frame), 0x345678, dtype=np.uint64)
    multiplier = np.uint64(1000003)
    if not columns:
        return np.zeros(len(frame), dtype=np.uint64)
    for position, name in enumerate(columns):
        combined ^= pd.util.hash_array(normalised_column(frame[name]))
        combined *= multiplier
        multiplier += np.uint64(82520 + 2 * (len(columns) - position))
    combined += np.uint64(97531)
    return combined
