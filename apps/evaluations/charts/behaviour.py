"""Charts of how the model behaves across groups, under noise and in time: fairness
bars, the robustness degradation curve, the latency histogram."""

from collections.abc import Iterable
from itertools import pairwise

from apps.evaluations.charts.layout import BLUE, Figure, layout, threshold
from apps.evaluations.models import CheckResult


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
            shapes = threshold(0.8 * best)  # the four-fifths rule
        figures.append({
            "data": [{"type": "bar", "x": [group["group"] for group in groups], "y": values,
                      "text": [f"{group['rows']} rows" for group in groups],
                      "marker": {"color": BLUE}}],
            "layout": layout(f"{metric.replace('_', ' ').capitalize()} by {result.subject}",
                             result.subject, metric.replace("_", " "), shapes=shapes),
        })  # fmt: skip
    return figures


def robustness_curve(results: Iterable[CheckResult]) -> Figure | None:
    """Prediction flips and metric drop as the noise added to the inputs grows."""
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
                "layout": layout("Degradation under noise", y="share", xaxis={
                    "title": {"text": "noise (standard deviations)"}, "type": "linear"}),
            }  # fmt: skip
    return None


def latency_histogram(results: Iterable[CheckResult]) -> Figure | None:
    """Calls per latency bin, with the bound as a vertical line."""
    for result in results:
        histogram = (
            result.evidence.get("histogram") if result.check_key == "efficiency.latency" else None
        )
        if histogram:
            edges = histogram["edges"]
            centres = [(low + high) / 2 for low, high in pairwise(edges)]
            return {
                "data": [{"type": "bar", "x": centres, "y": histogram["counts"],
                          "marker": {"color": BLUE}}],
                "layout": layout("Latency per call", y="calls",
                                 xaxis={"title": {"text": "milliseconds"}, "type": "linear"},
                                 shapes=threshold(result.threshold, horizontal=False)),
            }  # fmt: skip
    return None
