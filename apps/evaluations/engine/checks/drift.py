"""Distribution drift per column, of the predictions and of the labels.

The method is chosen per column and stated in the result ("auto"): numeric columns get a
two-sample Kolmogorov-Smirnov test and the normed Wasserstein distance as effect size;
categorical ones (and numbers with few distinct values) a chi-square test of homogeneity
and the Jensen-Shannon distance. PSI is reported for every column. A column drifts only
when its p-value, corrected for the number of columns tested (Benjamini-Hochberg), is
below alpha AND its effect size reaches the threshold: at a million rows every trivial
shift is significant, and a shift too small to matter is not an alarm.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine import stats, two_sample
from apps.evaluations.engine.checks.inputs import (
    NAMED_COLUMNS,
    given_frame,
    selected_columns,
    text_value_counts,
)
from apps.evaluations.engine.column_stats import sorted_finite
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.data import BOOLEAN, CATEGORICAL, NUMERIC
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    choice,
    columns_param,
    integer,
    number,
    register,
    schema,
)

METHODS = ["auto", "psi", "ks", "wasserstein", "jensen_shannon", "chi_square"]
MISSING = "(missing)"
DISTRIBUTION_BINS = 20
DRIFT_PARAMS = {
    "method": choice("auto", METHODS),
    "alpha": number(0.05, minimum=0.0001, maximum=0.5),
    "effect_threshold": number(0.1, minimum=0.0),
    "psi_threshold": number(0.2, minimum=0.0),
    "bins": integer(10, minimum=2, maximum=100),
    "binning": choice("quantile", ["quantile"]),
    "min_rows": integer(30, minimum=2),
    "max_categories_as_numeric": integer(10, minimum=1),
}
COLUMN_METRICS = {
    "effect_size": "The effect size of the chosen method (normed Wasserstein distance for "
    "numbers, Jensen-Shannon distance for categories, PSI or KS statistic when chosen).",
    "psi": "Population stability index over reference-quantile bins or categories.",
    "jensen_shannon_distance": "Jensen-Shannon distance (base 2) between the two histograms.",
    "wasserstein_normed": "Wasserstein distance divided by the reference's standard deviation.",
    "ks_statistic": "Kolmogorov-Smirnov statistic (numeric columns).",
    "p_value": "p-value of the test (KS or chi-square).",
}


# `cached(key, compute)`: a value of the reference's kept for other runs of the check.
Cache = Callable[[tuple[Any, ...], Callable[[], Any]], Any]
# `sorted_values("reference" or "current")`: a side's sorted finite values.
SortedSides = Callable[[str], NDArray[np.float64]]


def compare(
    reference: pd.Series,
    current: pd.Series,
    kind: str | None,
    params: dict[str, Any],
    cached: Cache | None = None,
    sorted_values: SortedSides | None = None,
) -> dict[str, Any] | str:
    """Drift statistics of one column, or why it was not tested.

    `cached(key, compute)` keeps the reference's bins for other runs of the check;
    `sorted_values("reference" or "current")` gives a side's sorted finite values when the
    caller keeps them (the context does, for the columns of its datasets)."""
    cached = cached or (lambda _key, compute: compute())
    if kind not in (NUMERIC, CATEGORICAL, BOOLEAN):
        return f"a {kind} column is not tested for drift"
    method = params["method"]
    if kind == NUMERIC:
        # The reference's sorted finite values serve every run of the check; the current
        # ones are sorted once for the KS test, the Wasserstein distance and the bins.
        if sorted_values is None:
            ref = cached(("sorted",), lambda: sorted_finite(reference))
            cur = sorted_finite(current)
        else:
            ref, cur = sorted_values("reference"), sorted_values("current")
        if min(len(ref), len(cur)) < params["min_rows"]:
            return f"fewer than {params['min_rows']} values on one side"
        distinct = 1 + int(np.count_nonzero(ref[1:] != ref[:-1]))
        if distinct > params["max_categories_as_numeric"] and method != "chi_square":
            return _numeric(ref, cur, params, cached)
    return _categorical(reference, current, params)


def _numeric(
    ref: NDArray[np.float64], cur: NDArray[np.float64], params: dict[str, Any], cached: Cache
) -> dict[str, Any]:
    """Drift statistics of two sorted numeric samples."""
    edges = cached(("edges", params["bins"]), lambda: stats.quantile_edges(ref, params["bins"]))
    ref_counts = cached(("counts", params["bins"]), lambda: stats.sorted_binned_counts(ref, edges))
    cur_counts = stats.sorted_binned_counts(cur, edges)
    tests = two_sample.ks_wasserstein_sorted(ref, cur)
    values: dict[str, Any] = {
        "test": "ks",
        "reference_rows": len(ref),
        "evaluation_rows": len(cur),
        "ks_statistic": tests["ks_statistic"],
        "p_value": tests["p_value"],
        "psi": stats.psi(ref_counts, cur_counts),
        "jensen_shannon_distance": stats.jensen_shannon(ref_counts, cur_counts),
        "wasserstein_normed": tests["wasserstein_normed"],
    }
    effect = {
        "auto": "wasserstein_normed",
        "wasserstein": "wasserstein_normed",
        "psi": "psi",
        "ks": "ks_statistic",
        "jensen_shannon": "jensen_shannon_distance",
    }[params["method"]]
    values["method"] = (
        "ks+" + effect.split("_")[0] if params["method"] == "auto" else (params["method"])
    )
    values["effect_size"] = values[effect]
    values["effect_threshold"] = (
        params["psi_threshold"] if effect == "psi" else (params["effect_threshold"])
    )
    values["histogram"] = {
        "edges": edges.tolist(),
        "reference": stats.proportions(ref_counts).tolist(),
        "evaluation": stats.proportions(cur_counts).tolist(),
    }
    values["distribution"] = shared_histogram(ref, cur)
    return values


def shared_histogram(
    ref: NDArray[Any], cur: NDArray[Any], bins: int = DISTRIBUTION_BINS
) -> dict[str, Any]:
    """Counts of two sorted samples over the same equal-width bins, for a picture: the bins
    span the pooled 0.5th to 99.5th percentiles, so one extreme value does not squeeze the
    rest into a bar or two; values beyond are counted in the end bins."""
    pooled_low = min(np.quantile(ref, 0.005), np.quantile(cur, 0.005))
    pooled_high = max(np.quantile(ref, 0.995), np.quantile(cur, 0.995))
    if pooled_high <= pooled_low:
        pooled_low, pooled_high = pooled_low - 0.5, pooled_high + 0.5
    edges = np.linspace(pooled_low, pooled_high, bins + 1)
    inner = edges[1:-1]
    return {
        "edges": [float(f"{edge:.6g}") for edge in edges],
        "reference": stats.sorted_binned_counts(ref, inner).tolist(),
        "evaluation": stats.sorted_binned_counts(cur, inner).tolist(),
        "tails_in_end_bins": bool(ref[0] < pooled_low or cur[0] < pooled_low
                                  or ref[-1] > pooled_high or cur[-1] > pooled_high),
    }  # fmt: skip


def _categorical(
    reference: pd.Series, current: pd.Series, params: dict[str, Any]
) -> dict[str, Any] | str:
    if min(len(reference), len(current)) < params["min_rows"]:
        return f"fewer than {params['min_rows']} values on one side"
    ref_counts, cur_counts = _text_counts(reference), _text_counts(current)
    categories = ref_counts.index.union(cur_counts.index)
    expected = ref_counts.reindex(categories, fill_value=0).to_numpy(dtype=float)
    actual = cur_counts.reindex(categories, fill_value=0).to_numpy(dtype=float)
    statistic, p_value = two_sample.chi_square_test(expected, actual)
    values: dict[str, Any] = {
        "test": "chi_square",
        "reference_rows": len(reference),
        "evaluation_rows": len(current),
        "chi_square_statistic": statistic,
        "p_value": p_value,
        "psi": stats.psi(expected, actual),
        "jensen_shannon_distance": stats.jensen_shannon(expected, actual),
    }
    effect = "psi" if params["method"] == "psi" else "jensen_shannon_distance"
    values["method"] = "chi_square+jensen" if params["method"] == "auto" else params["method"]
    values["effect_size"] = values[effect]
    values["effect_threshold"] = (
        params["psi_threshold"] if effect == "psi" else (params["effect_threshold"])
    )
    top = np.argsort(-(expected + actual))[:30]
    values["histogram"] = {
        "categories": [str(categories[i]) for i in top],
        "reference": (expected / expected.sum())[top].tolist(),
        "evaluation": (actual / actual.sum())[top].tolist(),
    }
    values["distribution"] = {
        "categories": values["histogram"]["categories"],
        "reference": expected[top].astype(int).tolist(),
        "evaluation": actual[top].astype(int).tolist(),
        "other_categories": max(len(categories) - len(top), 0),
    }
    return values


def _text_counts(values: pd.Series) -> pd.Series:
    """Counts per value as text, missing values counted as the category MISSING."""
    counts = text_value_counts(values)
    missing = int(values.isna().sum())
    if missing:
        counts = counts.add(pd.Series({MISSING: missing}, dtype="int64"), fill_value=0)
    return counts


def _column_cache(context: EvaluationContext, role: str, name: str) -> Cache:
    """The cache of one column of the reference data, for `compare`."""
    return lambda key, compute: context.cached(("drift", role, name, key), compute)


def _sorted_sides(context: EvaluationContext, role: str, name: str) -> SortedSides:
    """A column's sorted finite values on either side, for `compare`, each sorted when asked
    and summarized for the checks after this one (see column_stats). The sorted values are
    not kept: as large as the column, they would stay in memory for the whole run, and
    sorting a reference again costs less than keeping it (its bins are kept)."""

    def sorted_side(side: str) -> NDArray[np.float64]:
        return context.sorted_finite(role if side == "reference" else "evaluation", name)

    return sorted_side


def measurement(
    subject: str, values: dict[str, Any], p_adjusted: float, alpha: float, test_name: str
) -> Measurement:
    evidence = {"histogram": values.pop("histogram"), "distribution": values.pop("distribution")}
    drifted = bool(p_adjusted < alpha and values["effect_size"] >= values["effect_threshold"])
    observed = {**values, "p_value_adjusted": p_adjusted, "drifted": drifted}
    test = f"{values['test'].replace('_', '-')} test, {test_name} = {p_adjusted:.3g}"
    note = f"method {values['method']}"
    return Measurement(
        subject,
        observed=observed,
        evidence=evidence,
        significant=p_adjusted < alpha,
        test=test,
        note=note,
    )


@register
class ColumnDrift(Check):
    key = "drift.columns"
    name = "Column drift"
    needs = "data"
    summarizes_columns = True
    category = "drift"
    reads = frozenset({"reference", "training"})
    params_schema = schema(
        **DRIFT_PARAMS,
        reference=choice("auto", ["auto", "reference", "train"]),
        columns=columns_param("features", NAMED_COLUMNS),
    )
    metrics = {
        **COLUMN_METRICS,
        "drifted_column_share": "Share of tested columns that drifted (significant after "
        "correction and effect size at or above its threshold).",
        "drifted_column_count": "Number of drifted columns.",
    }
    default_metric = "effect_size"
    docs = CheckDocs(
        what="Per-column shift between the reference and the evaluation data, with the method "
        "chosen by column type, and the share of drifted columns.",
        why="A model is only as good as the match between the data it learnt from and the "
        "data it serves; a shifted feature moves its predictions.",
        fix="Compare the two histograms in the evidence; rule out pipeline changes (units, "
        "defaults, a new source) first, then retrain on recent data if the population moved.",
        reference="Rabanser S. et al. (2019), Failing Loudly, NeurIPS; Benjamini Y., Hochberg "
        "Y. (1995), Controlling the false discovery rate, JRSS B; Yurdakul B. (2018), "
        "Statistical Properties of Population Stability Index.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        role = context.comparison_role(params["reference"])
        if role is None:
            return [Measurement(None, skipped="No reference data was given to compare with.")]
        reference, current = given_frame(context, role), context.frame("evaluation")
        kinds = context.kinds(role)
        tested, skipped = {}, []
        for name in selected_columns(context, params["columns"]):
            if name not in reference.columns:
                skipped.append(Measurement(name, skipped=f"{name} is not in the {role} data."))
                continue
            values = compare(
                reference[name],
                current[name],
                kinds.get(name),
                params,
                _column_cache(context, role, name),
                _sorted_sides(context, role, name),
            )
            if isinstance(values, str):
                skipped.append(Measurement(name, skipped=f"{name} was not tested: {values}."))
            else:
                tested[name] = values
        adjusted = stats.benjamini_hochberg([v["p_value"] for v in tested.values()])
        results = [
            measurement(name, values, float(p), params["alpha"], "BH-adjusted p")
            for (name, values), p in zip(tested.items(), adjusted, strict=True)
        ]
        drifted = [name for name, m in zip(tested, results, strict=True) if m.observed["drifted"]]
        results.append(
            Measurement(
                None,
                observed={
                    "drifted_column_share": len(drifted) / len(tested) if tested else 0.0,
                    "drifted_column_count": len(drifted),
                    "tested_column_count": len(tested),
                },
                evidence={"drifted_columns": drifted, "compared_with": role},
                note=f"drifted: {', '.join(drifted[:10])}" if drifted else "",
            )
        )
        return results + skipped
