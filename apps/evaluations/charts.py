"""Charts of a run's results, as plotly figure specs (data and layout) that the run page
hands to plotly.js from static/. One function per picture; each returns None when the run
holds nothing to draw."""

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from apps.evaluations.models import CheckResult

Figure = dict[str, Any]
_THRESHOLD_LINE = {"color": "#b42318", "dash": "dash", "width": 2}


def _layout(title: str, x: str = "", y: str = "", **extra) -> dict:
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": x}, "automargin": True, "type": "category"},
        "yaxis": {"title": {"text": y}, "automargin": True},
        "margin": {"t": 48, "r": 16, "b": 48, "l": 56},
        "height": 320,
        **extra,
    }


def _threshold(value: float | None, *, horizontal: bool = True) -> list[dict]:
    if value is None:
        return []
    if horizontal:
        return [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value,
                 "line": _THRESHOLD_LINE}]  # fmt: skip
    return [{"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": value, "x1": value,
             "line": _THRESHOLD_LINE}]  # fmt: skip


def confusion_matrix(results: Iterable[CheckResult]) -> Figure | None:
    for result in results:
        matrix = result.evidence.get("confusion_matrix")
        if result.check_key == "performance.classification" and matrix:
            classes = result.evidence.get("classes") or list(range(len(matrix)))
            classes = [str(label) for label in classes]
            axis = {"type": "category", "automargin": True}
            return {
                "data": [{"type": "heatmap", "z": matrix, "x": classes, "y": classes,
                          "colorscale": "Blues", "reversescale": True, "showscale": False,
                          "texttemplate": "%{z}",
                          "hovertemplate": "true %{y}, predicted %{x}: %{z}<extra></extra>"}],
                "layout": _layout("Confusion matrix",
                                  xaxis={**axis, "title": {"text": "predicted"}},
                                  yaxis={**axis, "title": {"text": "true"},
                                         "autorange": "reversed"}),
            }  # fmt: skip
    return None


def fairness_groups(results: Iterable[CheckResult]) -> list[Figure]:
    """Per subject: each group's selection rate (or MAE), with the four-fifths line."""
    figures, seen = [], set()
    for result in results:
        if result.category != "fairness" or result.subject in seen:
            continue
        groups = [group for group in result.evidence.get("groups", []) if group.get("judged")]
        metric = "selection_rate" if result.check_key == "fairness.classification" else "mae"
        values = [group.get(metric) for group in groups]
        if not groups or all(value is None for value in values):
            continue
        seen.add(result.subject)
        shapes = []
        if metric == "selection_rate":
            best = max(value for value in values if value is not None)
            shapes = _threshold(0.8 * best)  # the four-fifths rule
        figures.append({
            "data": [{"type": "bar", "x": [group["group"] for group in groups], "y": values,
                      "text": [f"{group['rows']} rows" for group in groups],
                      "marker": {"color": "#2e6da4"}}],
            "layout": _layout(f"{metric.replace('_', ' ').capitalize()} by {result.subject}",
                              result.subject, metric.replace("_", " "), shapes=shapes),
        })  # fmt: skip
    return figures


def drift_columns(results: Iterable[CheckResult]) -> Figure | None:
    bars = [
        result for result in results
        if result.check_key == "drift.columns" and result.metric == "effect_size"
        and result.observed and result.observed.get("effect_size") is not None
    ]  # fmt: skip
    if not bars:
        return None
    bars.sort(key=lambda result: -result.observed["effect_size"])
    colours = ["#b42318" if result.outcome == "fail" else "#2e6da4" for result in bars]
    return {
        "data": [{"type": "bar", "x": [result.subject for result in bars],
                  "y": [result.observed["effect_size"] for result in bars],
                  "marker": {"color": colours}}],
        "layout": _layout("Drift per feature (effect size)", "feature", "effect size",
                          shapes=_threshold(bars[0].threshold)),
    }  # fmt: skip


def robustness_curve(results: Iterable[CheckResult]) -> Figure | None:
    for result in results:
        curve = result.evidence.get("curve") if result.check_key == "robustness.noise" else None
        if curve:
            return {
                "data": [
                    {"type": "scatter", "mode": "lines+markers", "name": "prediction flips",
                     "x": [point["noise_scale"] for point in curve],
                     "y": [point["prediction_flip_rate"] for point in curve]},
                    {"type": "scatter", "mode": "lines+markers", "name": "metric drop",
                     "x": [point["noise_scale"] for point in curve],
                     "y": [point["relative_metric_drop"] for point in curve]},
                ],
                "layout": _layout("Degradation under noise", y="share", xaxis={
                    "title": {"text": "noise (standard deviations)"}, "type": "linear"}),
            }  # fmt: skip
    return None


def latency_histogram(results: Iterable[CheckResult]) -> Figure | None:
    for result in results:
        histogram = (
            result.evidence.get("histogram") if result.check_key == ("efficiency.latency") else None
        )
        if histogram:
            edges = histogram["edges"]
            centres = [(low + high) / 2 for low, high in pairwise(edges)]
            return {
                "data": [{"type": "bar", "x": centres, "y": histogram["counts"],
                          "marker": {"color": "#2e6da4"}}],
                "layout": _layout("Latency per call", y="calls",
                                  xaxis={"title": {"text": "milliseconds"}, "type": "linear"},
                                  shapes=_threshold(result.threshold, horizontal=False)),
            }  # fmt: skip
    return None


def run_figures(results: list[CheckResult]) -> dict[str, Any]:
    """Every picture of a run, by name (a list for the per-subject ones)."""
    figures = {
        "confusion": confusion_matrix(results),
        "drift": drift_columns(results),
        "robustness": robustness_curve(results),
        "latency": latency_histogram(results),
    }
    figures = {name: figure for name, figure in figures.items() if figure is not None}
    fairness = fairness_groups(results)
    if fairness:
        figures["fairness"] = fairness
    return figures
