"""Data quality across rows and labels: class imbalance, target leakage and
train/evaluation overlap (duplicates and conflicting labels: `data_quality_repeats`)."""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.dummy import DummyRegressor
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

from apps.evaluations.engine.checks.inputs import (
    first_seen_texts,
    flagged,
    row_hashes,
    text_value_counts,
)
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.data import NUMERIC
from apps.evaluations.engine.registry import (
    CLASSIFICATION,
    Check,
    CheckDocs,
    Measurement,
    choice,
    integer,
    register,
    schema,
)


@register
class ClassImbalance(Check):
    key = "data_quality.class_imbalance"
    name = "Class imbalance"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"labels"})
    task_types = CLASSIFICATION
    metrics = {"minority_class_share": "Share of the rarest class among labelled rows."}
    default_metric = "minority_class_share"
    docs = CheckDocs(
        what="Share of the rarest class of the target.",
        why="Under 1% the minority is 'extremely' imbalanced: accuracy becomes meaningless "
        "and the model sees too few positives.",
        fix="Report balanced metrics; use class weights or resampling on the training set "
        "only, and collect more minority examples.",
        reference="Google Machine Learning Crash Course, 'Imbalanced datasets'.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        labels = context.labels("evaluation").dropna()
        if labels.empty:
            return [Measurement(context.target, skipped="The evaluation data has no labels.")]
        counts = text_value_counts(labels)
        share = float(counts.iloc[-1] / counts.sum())
        return [
            Measurement(
                context.target,
                observed={"minority_class_share": share},
                evidence={"class_counts": {str(k): int(v) for k, v in counts.items()}},
                note=f"the rarest class is {counts.index[-1]!r}",
            )
        ]


@register
class TargetLeakage(Check):
    key = "data_quality.target_leakage"
    name = "Target leakage"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"labels"})
    params_schema = schema(
        cv_folds=integer(4, minimum=2, maximum=20),
        max_rows=integer(20_000, minimum=100),
        seed=integer(0),
        dataset=choice("evaluation", ["evaluation", "train"]),
    )
    metrics = {
        "predictive_power": "Per column: cross-validated skill of a one-column model (the "
        "majority per bin or category), 0 for no better than the baseline, 1 for perfect.",
        "max_feature_predictive_power": "The largest predictive power over the columns; the "
        "result's subject is that column.",
    }
    default_metric = "predictive_power"
    docs = CheckDocs(
        what="Predictive power of each column alone for the target: a one-column model "
        "predicting the majority class (or mean) of each quantile bin (about 20 rows each, at "
        "most 256) or category, "
        "bins under 5 rows falling back to the overall one, cross-validated and scored "
        "from 0 (no better than the baseline) to 1 (perfect). "
        "Classification: (balanced accuracy - 1/k) / (1 - 1/k); regression: 1 - MAE / MAE of "
        "the median.",
        why="A column that predicts the target almost perfectly on its own is more often "
        "information from the future than a genuine signal, and inflates every other metric.",
        fix="Establish when the column's value is known relative to the prediction moment; "
        "remove it and retrain if it is filled in after the outcome.",
        reference="Kaufman S. et al. (2012), Leakage in Data Mining, ACM TKDD; Wetschoreck F., "
        "ppscore (Predictive Power Score) documentation.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        role = params["dataset"]
        if not context.has_labels(role):
            return [Measurement(None, skipped=f"The {role} data has no labels.")]
        frame = context.frame(role)
        labels = frame[context.target]
        keep = labels.notna().to_numpy()
        rng = np.random.default_rng(params["seed"])
        rows = np.flatnonzero(keep)
        if len(rows) > params["max_rows"]:
            rows = np.sort(rng.choice(rows, params["max_rows"], replace=False))
        classification = context.task != "regression"
        if classification:
            y = context.class_index(labels.to_numpy()[rows])
            rows, y = rows[y >= 0], y[y >= 0]
            if len(np.unique(y)) < 2 or np.bincount(y).min() < params["cv_folds"]:
                return [
                    Measurement(None, skipped="Too few labelled rows per class to cross-validate.")
                ]
            folds = StratifiedKFold(params["cv_folds"], shuffle=True, random_state=params["seed"])
        else:
            y = pd.to_numeric(labels.iloc[rows], errors="coerce").to_numpy(dtype=float)
            folds = KFold(params["cv_folds"], shuffle=True, random_state=params["seed"])
            baseline = cross_val_predict(
                DummyRegressor(strategy="median"), np.zeros((len(y), 1)), y, cv=folds
            )
            baseline_error = np.mean(np.abs(baseline - y))
        kinds = context.kinds(role)
        results, powers = [], {}
        # Every column but the target and the model's own outputs, features or not.
        outputs = {context.target, *getattr(context.source, "columns", ())}
        columns = [name for name in frame.columns if name not in outputs]
        fold_of = np.empty(len(rows), dtype=np.int64)
        for number, (_, test) in enumerate(folds.split(np.zeros((len(y), 1)), y)):
            fold_of[test] = number
        n_bins = int(np.clip(len(rows) // 20, 8, _BINS))  # about 20 rows per bin, at most 256
        for name in columns:
            bins = _bins(frame[name].iloc[rows], kinds.get(name), n_bins)
            predicted = _binned_predictions(bins, y, fold_of, classification)
            if classification:
                k = len(np.unique(y))
                recall = [np.mean(predicted[y == c] == c) for c in np.unique(y)]
                power = (np.mean(recall) - 1 / k) / (1 - 1 / k)
            else:
                error = np.mean(np.abs(predicted - y))
                power = 1 - error / baseline_error if baseline_error > 0 else 0.0
            powers[name] = float(np.clip(power, 0.0, 1.0))
            results.append(
                Measurement(
                    name, observed={"predictive_power": powers[name]}, evidence={"dataset": role}
                )
            )
        if powers:
            strongest = max(powers, key=powers.__getitem__)
            results.append(
                Measurement(
                    strongest,
                    observed={"max_feature_predictive_power": powers[strongest]},
                    evidence={"predictive_power": powers, "dataset": role},
                    sampling={
                        "method": "random rows",
                        "rows": len(rows),
                        "of_rows": int(keep.sum()),
                        "seed": params["seed"],
                    },
                )
            )
        return results


_BINS, _MIN_BIN_ROWS = 256, 5


def _bins(values: pd.Series, kind: str | None, n_bins: int) -> NDArray[Any]:
    """One column as bin numbers: numbers in quantile bins, anything else by category
    (the most frequent ones), missing values in a bin of their own."""
    if kind == NUMERIC or pd.api.types.is_datetime64_any_dtype(values.dtype):
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            numbers = values.astype("int64").to_numpy(dtype=float)
        else:
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        finite = np.isfinite(numbers)
        edges = (
            np.unique(np.quantile(numbers[finite], np.linspace(0, 1, n_bins + 1)[1:-1]))
            if (finite.any())
            else np.empty(0)
        )
        bins = np.searchsorted(edges, numbers, side="right")
        return np.where(finite, bins, _BINS + 1)
    uniques, codes = first_seen_texts(values)
    if len(uniques) > _BINS:  # keep the most frequent categories apart, pool the rest
        frequent = np.argsort(-np.bincount(codes[codes >= 0]))[:_BINS]
        remap = np.full(len(uniques), _BINS)
        remap[frequent] = np.arange(len(frequent))
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return np.where(codes >= 0, codes, _BINS + 1)


def _binned_predictions(
    bins: NDArray[Any], y: NDArray[Any], fold_of: NDArray[Any], classification: bool
) -> NDArray[Any]:
    """Cross-validated predictions of a one-column histogram model: each bin predicts its
    training rows' majority class (or mean), bins with fewer than 5 training rows the
    overall one, like a tree with min_samples_leaf=5 that cannot memorise ids."""
    size = _BINS + 2
    predicted = np.empty(len(y), dtype=float if not classification else np.int64)
    for fold in np.unique(fold_of):
        train, test = fold_of != fold, fold_of == fold
        rows_in_bin = np.bincount(bins[train], minlength=size)
        if classification:
            k = int(y.max()) + 1
            counts = np.bincount(bins[train] * k + y[train], minlength=size * k).reshape(size, k)
            per_bin = counts.argmax(axis=1)
            per_bin[rows_in_bin < _MIN_BIN_ROWS] = np.bincount(y[train], minlength=k).argmax()
        else:
            sums = np.bincount(bins[train], weights=y[train], minlength=size)
            with np.errstate(divide="ignore", invalid="ignore"):
                per_bin = sums / rows_in_bin
            per_bin[rows_in_bin < _MIN_BIN_ROWS] = np.median(y[train])
        predicted[test] = per_bin[bins[test]]
    return predicted


@register
class TrainEvaluationOverlap(Check):
    key = "data_quality.train_eval_overlap"
    name = "Training and evaluation overlap"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"training"})
    params_schema = schema(match_on=choice("features", ["features", "all"]))
    metrics = {
        "overlap_share": "Share of evaluation rows whose features also appear in the training data."
    }
    default_metric = "overlap_share"
    docs = CheckDocs(
        what="Share of evaluation rows that also appear in the training set (same feature "
        "values, or same values in every column).",
        why="Rows the model saw in training measure memory, not generalisation; the metrics "
        "become optimistic.",
        fix="Split by a business key or by time rather than by row (GroupShuffleSplit, "
        "TimeSeriesSplit); deduplicate before splitting, then rebuild both sets.",
        reference="Kapoor S., Narayanan A. (2023), Leakage and the reproducibility crisis in "
        "machine-learning-based science, Patterns.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        train = context.frame("train")
        if train is None:
            return [Measurement(None, skipped="No training data was given.")]
        frame = context.frame("evaluation")
        if params["match_on"] == "features":
            columns = [name for name in context.features if name in train.columns]
        else:
            columns = [name for name in frame.columns if name in train.columns]
        if not columns:
            return [
                Measurement(
                    None, skipped="The training data shares no column with the evaluation data."
                )
            ]
        seen = np.isin(row_hashes(frame, columns), row_hashes(train, columns))
        share = float(seen.mean()) if len(frame) else 0.0
        return [
            Measurement(
                None,
                observed={"overlap_share": share, "overlap_rows": int(seen.sum())},
                evidence={"matched_on": columns},
                flagged_rows=flagged(np.flatnonzero(seen), context),
            )
        ]
