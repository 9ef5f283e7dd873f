"""Data quality per column against the training (or reference) data: values outside
the range it holds, and categories it never had."""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as scipy_stats

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.inputs import (
    NAMED_COLUMNS,
    flagged,
    given_frame,
    selected_columns,
    text_categories,
    text_value_counts,
)
from apps.evaluations.engine.context import EvaluationContext
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


def _range_significance(
    results: list[Measurement], tests: dict[str, tuple[int, int, float]], alpha: float
) -> None:
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
            significant = bool(value < alpha)
            measurement.significant = {
                "out_of_range_share": significant,
                "excess_out_of_range_share": significant,
            }
            measurement.evidence["out_of_range_p_value"] = value
            measurement.test = f"binomial test against 2/(n+1), BH-adjusted p = {value:.3g}"


@register
class OutOfRange(Check):
    key = "data_quality.out_of_range"
    name = "Out-of-range values"
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
        "excess_out_of_range_share": "Out-of-range share minus the 2/(n+1) that values "
        "of the same distribution as the n seen ones give; significant only when the "
        "binomial test, Benjamini-Hochberg-adjusted over the columns, finds it above.",
        "impossible_value_share": "Share of values that cannot be right: infinite, outside "
        "declared bounds, or negative in a column never negative in the training data.",
    }
    default_metric = "out_of_range_share"
    docs = CheckDocs(
        what="Per numeric column, the share of values outside the training range, and of "
        "impossible values. A value of the training distribution falls outside the range "
        "of n training values with chance 2/(n+1): the default criterion judges the excess "
        "over that, failing when it passes a small floor and is significant.",
        why="Models extrapolate poorly outside the values they were trained on; impossible "
        "values are data errors (unit changes, sentinels like -1 or 9999).",
        fix="Fix errors and sentinels at the source; for a genuine widening of the "
        "population, add such cases to the training data and retrain.",
        reference="Breck E. et al. (2019), Data Validation for Machine Learning, SysML.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
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
            observed: dict[str, float] = {}
            evidence: dict[str, Any] = {}
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
                    observed["excess_out_of_range_share"] = observed["out_of_range_share"] - 2 / (
                        len(seen) + 1
                    )
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
    name = "Unseen categories"
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

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        role = context.comparison_role(params["reference"], prefer=("train", "reference"))
        if role is None:
            return [Measurement(None, skipped="No training or reference data to compare with.")]
        frame, other, kinds = (
            context.frame("evaluation"),
            given_frame(context, role),
            context.kinds(),
        )
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


def _share(mask: NDArray[Any], among: NDArray[Any]) -> float:
    total = int(among.sum())
    return float((mask & among).sum() / total) if total else 0.0
