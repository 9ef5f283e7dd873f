"""Charts of the data: drift per feature, a feature's reference and current
distributions, and the input outliers on a map of the inputs."""

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from apps.evaluations.models import CheckResult
from qualiti.charts import (
    BLUE,
    FAIL_SYMBOL,
    FAILING_BARS_NOTE,
    GREY,
    RED,
    SLATE,
    Figure,
    bar_marks,
    layout,
    linear_axis,
    threshold,
)

REFERENCE_COLOUR = GREY
# Overlaid histograms: the reference as outlines, seen through the current rows'
# translucent bars, so both read where they overlap (two fills blend into one colour).
OVERLAID: dict[str, dict[str, Any]] = {
    "reference": {"marker": {"color": "rgba(0, 0, 0, 0)", "line": {"color": SLATE, "width": 2}}},
    "current": {"marker": {"color": BLUE}, "opacity": 0.6},
}


# The per-column metrics a plan may judge drift.columns with, as the bars' axis names them
COLUMN_METRICS = {
    "effect_size": "effect size",
    "psi": "PSI",
    "jensen_shannon_distance": "Jensen-Shannon distance",
    "wasserstein_normed": "normed Wasserstein distance",
    "ks_statistic": "KS statistic",
}


def _observed(result: CheckResult) -> dict[str, Any]:
    """The observed values of a result `_drift_columns` kept (never empty there)."""
    return result.observed or {}


def _drift_columns(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Per-column drift results judged on a per-column metric, one per metric and column."""
    columns, seen = [], set()
    for result in results:
        judged = result.metric in COLUMN_METRICS and result.subject
        if result.check_key != "drift.columns" or not judged or not result.observed:
            continue
        if result.observed.get(result.metric) is None or (result.metric, result.subject) in seen:
            continue
        seen.add((result.metric, result.subject))
        columns.append(result)
    return columns


def drift_columns(results: Iterable[CheckResult]) -> Figure | None:
    """The judged drift metric per feature (the effect size when a plan judges several),
    largest first, failing ones red and hatched, with the threshold."""
    columns = _drift_columns(results)
    if not columns:
        return None
    metrics = [result.metric for result in columns]
    metric = "effect_size" if "effect_size" in metrics else max(set(metrics), key=metrics.count)
    bars = sorted(
        (result for result in columns if result.metric == metric),
        key=lambda result: -_observed(result)[metric],
    )
    failing = [result.outcome == "fail" for result in bars]
    name = COLUMN_METRICS[metric]
    note = f"{FAILING_BARS_NOTE}: the check failed on that feature" if any(failing) else ""
    values, bound = [_observed(result)[metric] for result in bars], bars[0].threshold
    return {
        "data": [{"type": "bar", "x": [result.subject for result in bars], "y": values,
                  "marker": bar_marks(failing)}],
        "layout": layout(f"Drift per feature ({name})", "feature", name, note=note,
                         **threshold(bound, comparator=bars[0].comparator)),
    }  # fmt: skip


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]


def feature_distribution(result: CheckResult) -> Figure | None:
    """One feature's reference and current distributions as shares of their rows, over
    the same bins (numbers) or the most frequent categories."""
    distribution = result.evidence.get("distribution")
    if not distribution:
        return None
    sides = [("reference", "reference", REFERENCE_COLOUR), ("current", "evaluation", BLUE)]
    title = f"Distribution of {result.subject}: reference and current"
    if "edges" in distribution:
        edges = distribution["edges"]
        centres = [(low + high) / 2 for low, high in pairwise(edges)]
        widths = [high - low for low, high in pairwise(edges)]
        data = [
            {"type": "bar", "name": name, "x": centres, "y": _shares(distribution[key]),
             "width": widths, **OVERLAID[name], "customdata": distribution[key],
             "hovertemplate": f"{name}: %{{y:.1%}} of rows (%{{customdata}})<extra></extra>"}
            for name, key, _ in sides
        ]  # fmt: skip
        axis: dict[str, Any] = linear_axis(result.subject)
        if distribution.get("tails_in_end_bins"):
            axis["title"]["text"] += " (values beyond the ends counted in the end bars)"
        return {"data": data, "feature": result.subject,
                "layout": layout(title, y="share of rows", xaxis=axis, barmode="overlay",
                                 bargap=0)}  # fmt: skip
    categories = distribution["categories"]
    data = [
        {"type": "bar", "name": name, "x": categories, "y": _shares(distribution[key]),
         "marker": {"color": colour}, "customdata": distribution[key],
         "hovertemplate": f"{name}: %{{y:.1%}} (%{{customdata}} rows)<extra></extra>"}
        for name, key, colour in sides
    ]  # fmt: skip
    return {"data": data, "feature": result.subject,
            "layout": layout(title, result.subject, "share of rows", barmode="group")}  # fmt: skip


def drift_distributions(results: Iterable[CheckResult]) -> list[Figure]:
    """Per tested feature, its distributions; failing features first, then by effect size."""
    columns = sorted(
        _drift_columns(results),
        key=lambda result: (
            result.outcome != "fail",
            -(_observed(result).get("effect_size") or 0),
        ),
    )
    figures, seen = [], set()
    for result in columns:
        figure = None if result.subject in seen else feature_distribution(result)
        if figure is not None:
            seen.add(result.subject)
            figures.append(figure)
    return figures


def outlier_map(results: Iterable[CheckResult]) -> Figure | None:
    """The most isolated evaluation rows over a sample of all rows, on the first two
    principal components of the inputs."""
    for result in results:
        if result.check_key != "anomaly.input_outliers":
            continue
        points = result.evidence.get("map")
        if not points:
            continue
        rows = [shown["row"] for shown in result.evidence.get("shown_rows", [])]
        x_axis, y_axis = points["axes"]
        explained = points.get("explained_variance") or [None, None]
        titles = [
            f"{axis} ({share:.0%} of variance)" if share else axis
            for axis, share in zip((x_axis, y_axis), explained, strict=True)
        ]
        return {
            "data": [
                {"type": "scatter", "mode": "markers", "name": "sample of rows",
                 "x": points["sample"]["x"], "y": points["sample"]["y"],
                 "marker": {"color": GREY, "size": 5, "opacity": 0.6},
                 "customdata": points["sample"]["score"],
                 "hovertemplate": "anomaly score %{customdata:.3f}<extra></extra>"},
                {"type": "scatter", "mode": "markers", "name": "outliers",
                 "x": points["outliers"]["x"], "y": points["outliers"]["y"],
                 "marker": {"color": RED, "size": 8, "symbol": FAIL_SYMBOL},
                 "customdata": [[row, score] for row, score in
                                zip(rows, points["outliers"]["score"], strict=False)],
                 "hovertemplate": "row %{customdata[0]}, anomaly score "
                                  "%{customdata[1]:.3f}<extra></extra>"},
            ],
            "layout": layout("Input outliers on the two main directions of the inputs",
                             xaxis=linear_axis(titles[0], zeroline=False),
                             yaxis=linear_axis(titles[1], zeroline=False)),
        }  # fmt: skip
    return None
