"""Data quality per column: missing values, constant and mixed-type columns, values
outside the training range, and unseen categories."""

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.inputs import (
    NAMED_COLUMNS,
    ColumnSelection,
    flagged,
    selected_columns,
    text_categories,
    text_value_counts,
)
from apps.evaluations.engine.data import BOOLEAN, CATEGORICAL, NUMERIC
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    choice,
    columns_param,
    number,
    register,
    schema,
)


@register
class MissingValues(ColumnSelection, Check):
    key = "data_quality.missing_values"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"labels"})  # all columns by default, the target's too
    params_schema = schema(columns=columns_param("all", NAMED_COLUMNS))

    metrics = {
        "missing_rate": "Share of missing values in the column.",
        "target_missing_rate": "Share of rows without a label.",
    }
    default_metric = "missing_rate"
    docs = CheckDocs(
        what="Share of missing values per column, target included.",
        why="Beyond a few percent, how values go missing starts to shape the model; rows "
        "without labels silently shrink and bias the evaluation.",
        fix="Find why values are missing (not collected, failed join, optional field); fix "
        "the pipeline, or impute inside the model pipeline with a missing indicator.",
        reference="Little R. J. A., Rubin D. B. (2019), Statistical Analysis with Missing "
        "Data, 3rd ed.",
    )

    def run(self, context, params):
        frame = context.frame("evaluation")
        results = []
        for name in selected_columns(context, params["columns"]):
            missing = frame[name].isna().to_numpy()
            rate = float(missing.mean()) if len(missing) else 0.0
            observed = {"missing_rate": rate, "missing_rows": int(missing.sum())}
            if name == context.target:
                observed["target_missing_rate"] = rate
            results.append(
                Measurement(
                    name, observed=observed, flagged_rows=flagged(np.flatnonzero(missing), context)
                )
            )
        return results


@register
class ConstantColumns(Check):
    key = "data_quality.constant_columns"
    needs = "data"
    category = "data_quality"
    reads = frozenset()
    params_schema = schema(
        dominant_share=number(0.99, minimum=0.5, maximum=1.0),
        columns=columns_param("features", NAMED_COLUMNS),
    )
    metrics = {
        "near_constant_column_count": "Columns whose most frequent value covers at least "
        "dominant_share of the rows (constant ones included).",
        "constant_column_count": "Columns with a single value.",
        "dominant_value_share": "Per column: share of the most frequent value.",
    }
    default_metric = "near_constant_column_count"
    docs = CheckDocs(
        what="Columns with a single value, or whose most frequent value covers nearly every row.",
        why="Such a column carries almost no information and often reveals a broken source "
        "(a default value written everywhere).",
        fix="Check the column's source for a recent upstream change; drop genuinely "
        "uninformative columns from the feature list or repair the source.",
        reference="scikit-learn VarianceThreshold documentation.",
    )

    def run(self, context, params):
        frame = context.frame("evaluation")
        results, near, constant = [], [], []
        for name in selected_columns(context, params["columns"]):
            value, count, distinct = most_frequent(frame[name])
            share = float(count / len(frame)) if len(frame) else 1.0
            if distinct <= 1:
                constant.append(name)
            if share >= params["dominant_share"]:
                near.append(name)
            results.append(
                Measurement(
                    name,
                    observed={"dominant_value_share": share},
                    evidence={"dominant_value": None if distinct == 0 else str(value)},
                )
            )
        results.append(
            Measurement(
                None,
                observed={
                    "near_constant_column_count": len(near),
                    "constant_column_count": len(constant),
                },
                evidence={"near_constant_columns": near, "constant_columns": constant},
                note=f"columns: {', '.join(near[:10])}" if near else "",
            )
        )
        return results


def most_frequent(values: pd.Series) -> tuple[object, int, int]:
    """The most frequent value of a column (missing counts as one value), its count and the
    number of distinct values. Numbers are sorted rather than hashed, and categories
    counted by code: a hash table over a million distinct floats is several times slower."""
    if len(values) == 0:
        return None, 0, 0
    if values.dtype.kind in "iufb":
        numbers = values.to_numpy()
        missing = np.isnan(numbers) if numbers.dtype.kind == "f" else np.zeros(len(numbers), bool)
        present = np.sort(numbers[~missing])
        candidates = [(np.nan, int(missing.sum()))] if missing.any() else []
        if len(present):
            starts = np.flatnonzero(np.concatenate([[True], present[1:] != present[:-1]]))
            runs = np.diff(np.append(starts, len(present)))
            longest = int(np.argmax(runs))
            candidates.insert(0, (present[starts[longest]].item(), int(runs[longest])))
            distinct = len(starts) + bool(missing.any())
        else:
            distinct = 1
        value, count = max(candidates, key=lambda pair: pair[1])
        return value, count, distinct
    counts = values.value_counts(dropna=False)
    counts = counts[counts > 0]  # a categorical lists its unused categories too
    return counts.index[0], int(counts.iloc[0]), len(counts)


@register
class MixedTypes(ColumnSelection, Check):
    key = "data_quality.mixed_types"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"labels"})  # all columns by default, the target's too
    params_schema = schema(
        min_share=number(0.01, minimum=0.0, maximum=0.5),
        columns=columns_param("all", NAMED_COLUMNS),
    )

    metrics = {
        "mixed_type_column_count": "Text columns where both numbers and text each make "
        "up at least min_share of the values.",
        "minority_type_share": "Per column: share of the less common of number and text.",
    }
    default_metric = "mixed_type_column_count"
    docs = CheckDocs(
        what="Columns whose values mix numbers and text, such as '12', 12.5 and 'unknown'.",
        why="Each tool parses such a column differently; the text usually encodes missing "
        "values or errors.",
        fix="Map placeholders to missing values and parse the column with an explicit type at "
        "ingestion.",
        reference="pandas 'Working with missing data' and to_numeric documentation.",
    )

    def run(self, context, params):
        frame = context.frame("evaluation")
        results, mixed = [], []
        for name in selected_columns(context, params["columns"]):
            values = frame[name]
            if (
                pd.api.types.is_numeric_dtype(values.dtype)
                or pd.api.types.is_bool_dtype(values.dtype)
                or pd.api.types.is_datetime64_any_dtype(values.dtype)
            ):
                continue
            counts = text_value_counts(values)
            if counts.empty:
                continue
            numeric = pd.to_numeric(counts.index.to_series(), errors="coerce").notna().to_numpy()
            numeric_share = float(counts.to_numpy()[numeric].sum() / counts.sum())
            minority = min(numeric_share, 1 - numeric_share)
            evidence = {
                "numeric_share": numeric_share,
                "examples": {
                    "numbers": counts.index[numeric][:5].tolist(),
                    "text": counts.index[~numeric][:5].tolist(),
                },
            }
            if minority >= params["min_share"] and minority > 0:
                mixed.append(name)
            results.append(
                Measurement(name, observed={"minority_type_share": minority}, evidence=evidence)
            )
        results.append(
            Measurement(
                None,
                observed={"mixed_type_column_count": len(mixed)},
                evidence={"mixed_type_columns": mixed},
                note=f"columns: {', '.join(mixed[:10])}" if mixed else "",
            )
        )
        return results


def _range_significance(results: list[Measurement], tests: dict, alpha: float) -> None:
    """Out-of-range values count only when there are significantly more of them than
    samples of one distribution give (binomial test, Benjamini-Hochberg over columns)."""
    names = [name for name in tests if tests[name][1] > 0]
    if not names:
        return
    p_values = [
        scipy_stats.binomtest(count, trials, expected, alternative="greater").pvalue
        for count, trials, expected in (tests[name] for name in names)
    ]
    adjusted = dict(zip(names, stats.benjamini_hochberg(p_values), strict=True))
    for measurement in results:
        if measurement.subject in adjusted:
            value = float(adjusted[measurement.subject])
            measurement.significant = {"out_of_range_share": value < alpha}
            measurement.evidence["out_of_range_p_value"] = value
            measurement.test = f"binomial test against 2/(n+1), BH-adjusted p = {value:.3g}"


@register
class OutOfRange(Check):
    key = "data_quality.out_of_range"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"reference", "training"})
    params_schema = schema(
        tolerance=number(0.0, minimum=0.0),
        reference=choice("auto", ["auto", "train", "reference"]),
        columns=columns_param("features", NAMED_COLUMNS),
        alpha=number(0.05, minimum=0.0001, maximum=0.5),
        bounds={
            "type": "object",
            "default": {},
            "additionalProperties": {
                "type": "array",
                "items": {"type": ["number", "null"]},
                "minItems": 2,
                "maxItems": 2,
            },
        },
    )
    metrics = {
        "out_of_range_share": "Share of the column's values outside the range seen in the "
        "training (or reference) data, widened by tolerance times the range.",
        "impossible_value_share": "Share of values that cannot be right: infinite, outside "
        "declared bounds, or negative in a column never negative in the training data.",
    }
    default_metric = "out_of_range_share"
    docs = CheckDocs(
        what="Per numeric column, the share of values outside the training range, and of "
        "impossible values.",
        why="Models extrapolate poorly outside the values they were trained on; impossible "
        "values are data errors (unit changes, sentinels like -1 or 9999).",
        fix="Fix errors and sentinels at the source; for a genuine widening of the "
        "population, add such cases to the training data and retrain.",
        reference="Breck E. et al. (2019), Data Validation for Machine Learning, SysML.",
    )

    def run(self, context, params):
        frame = context.frame("evaluation")
        role = context.comparison_role(params["reference"], prefer=("train", "reference"))
        other = context.frame(role) if role else None
        kinds = context.kinds()
        results, tests = [], {}
        for name in selected_columns(context, params["columns"]):
            if kinds.get(name) != NUMERIC:
                continue
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
            present = ~np.isnan(values)
            reasons = {"infinite": np.isinf(values)}
            observed, evidence = {}, {}
            low, high = params["bounds"].get(name, (None, None))
            if low is not None or high is not None:
                reasons["outside the declared bounds"] = (
                    values < low if low is not None else False
                ) | (values > high if high is not None else False)
            outside = np.zeros(len(values), dtype=bool)
            if other is not None and name in other.columns:
                seen = pd.to_numeric(other[name], errors="coerce").to_numpy(dtype=float)
                seen = seen[np.isfinite(seen)]
                if len(seen):
                    minimum, maximum = float(seen.min()), float(seen.max())
                    margin = params["tolerance"] * (maximum - minimum)
                    outside = present & ((values < minimum - margin) | (values > maximum + margin))
                    observed["out_of_range_share"] = _share(outside, present)
                    evidence.update({"range": [minimum, maximum], "compared_with": role})
                    # Had the values come from the same distribution as the n seen ones,
                    # each would fall outside their range with chance 2 / (n + 1).
                    tests[name] = (int(outside.sum()), int(present.sum()), 2 / (len(seen) + 1))
                    if minimum >= 0:
                        reasons[f"negative, never so in the {role} data"] = values < 0
            impossible = np.logical_or.reduce(list(reasons.values()))
            observed["impossible_value_share"] = _share(impossible, present)
            counts = {why: int(np.sum(mask)) for why, mask in reasons.items() if np.any(mask)}
            evidence["impossible_values"] = counts
            evidence["observed_range"] = (
                [float(np.nanmin(values)), float(np.nanmax(values))] if present.any() else None
            )
            rows = np.flatnonzero(outside | impossible)
            results.append(
                Measurement(
                    name,
                    observed=observed,
                    evidence=evidence,
                    flagged_rows=flagged(rows, context),
                    note=", ".join(
                        (
                            [f"{role} range [{minimum:g}, {maximum:g}]"]
                            if "range" in evidence
                            else []
                        )
                        + [f"{count} {why}" for why, count in counts.items()]
                    ),
                )
            )
        _range_significance(results, tests, params["alpha"])
        return results


@register
class UnseenCategories(Check):
    key = "data_quality.unseen_categories"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"reference", "training"})
    params_schema = schema(
        reference=choice("auto", ["auto", "train", "reference"]),
        columns=columns_param("features", NAMED_COLUMNS),
    )
    metrics = {
        "unseen_category_share": "Share of rows whose value never occurs in the "
        "training (or reference) data."
    }
    default_metric = "unseen_category_share"
    docs = CheckDocs(
        what="Per categorical column, the share of rows whose value never occurs in the "
        "training data.",
        why="An encoder maps unseen categories to nothing or to an error: predictions for "
        "those rows rest on a default the model never learned.",
        fix="Normalise spelling and case variants before encoding; retrain for new legitimate "
        "categories; set OneHotEncoder(handle_unknown='infrequent_if_exist').",
        reference="scikit-learn OneHotEncoder documentation (handle_unknown).",
    )

    def run(self, context, params):
        role = context.comparison_role(params["reference"], prefer=("train", "reference"))
        if role is None:
            return [Measurement(None, skipped="No training or reference data to compare with.")]
        frame, other, kinds = context.frame("evaluation"), context.frame(role), context.kinds()
        results = []
        for name in selected_columns(context, params["columns"]):
            if kinds.get(name) not in (CATEGORICAL, BOOLEAN) or name not in other.columns:
                continue
            texts, codes = text_categories(frame[name])
            known = texts.isin(text_value_counts(other[name]).index)
            present = codes >= 0
            unseen = present & ~np.append(known, True)[codes]
            counts = pd.Series(np.bincount(codes[unseen], minlength=len(texts)), index=texts)
            counts = counts[counts > 0].sort_values(ascending=False, kind="stable").head(20)
            results.append(
                Measurement(
                    name,
                    observed={"unseen_category_share": _share(unseen, present)},
                    evidence={
                        "unseen_values": {str(k): int(v) for k, v in counts.items()},
                        "compared_with": role,
                    },
                    flagged_rows=flagged(np.flatnonzero(unseen), context),
                    note=f"unseen: {', '.join(map(repr, counts.index[:3]))}" if len(counts) else "",
                )
            )
        return results


def _share(mask: np.ndarray, among: np.ndarray) -> float:
    total = int(among.sum())
    return float((mask & among).sum() / total) if total else 0.0
