"""Data quality per column: missing values, constant and mixed-type columns (values the
training data does not cover: `data_quality_coverage`)."""

from typing import Any

import numpy as np
import pandas as pd

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.inputs import (
    NAMED_COLUMNS,
    ColumnSelection,
    flagged,
    selected_columns,
    text_value_counts,
)
from apps.evaluations.engine.column_stats import NumberSummary, sorted_numbers
from apps.evaluations.engine.context import EvaluationContext
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
    name = "Missing values"
    needs = "data"
    category = "data_quality"
    # all columns by default, the target's too; the reference's rates when given
    reads = frozenset({"labels", "reference", "training"})
    params_schema = schema(
        columns=columns_param("all", NAMED_COLUMNS),
        reference=choice("auto", ["auto", "reference", "train"]),
        healthy_rate=number(0.05, minimum=0.0, maximum=1.0),
        alpha=number(0.01, minimum=0.0001, maximum=0.5),
    )

    metrics = {
        "missing_rate": "Share of missing values in the column.",
        "target_missing_rate": "Share of rows without a label.",
        "excess_missing_rate": "Missing value rate minus the same column's in the reference "
        "(or training) data, or minus `healthy_rate` when the column has no reference; "
        "significant only when a one-sided test, Benjamini-Hochberg-adjusted over the "
        "columns, finds it above.",
    }
    default_metric = "missing_rate"
    docs = CheckDocs(
        what="Share of missing values per column, target included, and its excess over the "
        "same column's rate in the reference (or training) data: Fisher's exact test per "
        "column, adjusted over the columns tested (Benjamini-Hochberg), so a column that "
        "is often empty in healthy data too is judged on what changed. A column without a "
        "reference is compared with `healthy_rate` (binomial test), and the result says so.",
        why="Beyond a few percent, how values go missing starts to shape the model; rows "
        "without labels silently shrink and bias the evaluation.",
        fix="Find why values are missing (not collected, failed join, optional field); fix "
        "the pipeline, or impute inside the model pipeline with a missing indicator.",
        reference="Little R. J. A., Rubin D. B. (2019), Statistical Analysis with Missing "
        "Data, 3rd ed.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        frame = context.frame("evaluation")
        role = context.comparison_role(params["reference"])
        other = context.frame(role) if role else None
        results, p_values = [], []
        for name in selected_columns(context, params["columns"]):
            missing = frame[name].isna().to_numpy()
            count, rows = int(missing.sum()), len(missing)
            rate = count / rows if rows else 0.0
            observed = {"missing_rate": rate, "missing_rows": count}
            if name == context.target:
                observed["target_missing_rate"] = rate
            if other is not None and name in other.columns and len(other):
                healthy = int(other[name].isna().sum())
                healthy_rate = healthy / len(other)
                p_values.append(
                    stats.excess_over_reference_p_value(count, rows, healthy, len(other))
                )
                evidence: dict[str, Any] = {"compared_with": role, "reference_rate": healthy_rate}
                note = ""
            else:
                healthy_rate = params["healthy_rate"]
                p_values.append(stats.excess_over_rate_p_value(count, rows, healthy_rate))
                evidence = {"compared_with": None, "reference_rate": healthy_rate}
                note = f"no reference column: judged against an assumed {healthy_rate:.2%}"
            observed["excess_missing_rate"] = rate - healthy_rate
            results.append(
                Measurement(
                    name,
                    observed=observed,
                    evidence=evidence,
                    flagged_rows=flagged(np.flatnonzero(missing), context),
                    note=note,
                )
            )
        for measurement, p_value in zip(results, stats.benjamini_hochberg(p_values), strict=True):
            measurement.evidence["p_value"] = float(p_value)
            measurement.significant = {"excess_missing_rate": bool(p_value < params["alpha"])}
            measurement.test = f"one-sided test of the excess, BH-adjusted p = {p_value:.3g}"
        return results


@register
class ConstantColumns(Check):
    key = "data_quality.constant_columns"
    name = "Constant columns"
    needs = "data"
    reads_column_summaries = True
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

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        frame = context.frame("evaluation")
        results, near, constant = [], [], []
        for name in selected_columns(context, params["columns"]):
            value, count, distinct = most_frequent(
                frame[name], context.number_summary("evaluation", name)
            )
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


def most_frequent(
    values: pd.Series, summary: NumberSummary | None = None
) -> tuple[object, int, int]:
    """The most frequent value of a column (missing counts as one value), its count and the
    number of distinct values. Numbers are sorted rather than hashed (`summary`: what the
    caller already knows of them), and categories counted by code: a hash table over a
    million distinct floats is several times slower."""
    if len(values) == 0:
        return None, 0, 0
    if summary is None:
        numbers = sorted_numbers(values)
        summary = None if numbers is None else NumberSummary.of(numbers)
    if summary is not None:
        return summary.mode, summary.mode_count, summary.distinct + bool(summary.missing)
    counts = values.value_counts(dropna=False)
    counts = counts[counts > 0]  # a categorical lists its unused categories too
    return counts.index[0], int(counts.iloc[0]), len(counts)


@register
class MixedTypes(ColumnSelection, Check):
    key = "data_quality.mixed_types"
    name = "Mixed value types"
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

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
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
