"""Charts of how the model behaves across groups, under noise and in time: fairness
bars, the robustness degradation curve, the latency histogram."""

from collections.abc import Iterable
from itertools import pairwise

from apps.evaluations.models import CheckResult
from qualiti.charts import (
    FAILING_BARS_NOTE,
    Figure,
    Lines,
    bar_marks,
    count_axis,
    layout,
    linear_axis,
    threshold,
)

FOUR_FIFTHS = 0.8


def _fairness_marks(
    result: CheckResult, metric: str, values: list
) -> tuple[list[bool], Lines, str]:
    """Which groups are failing, the line they fail against and the note saying so. For
    selection rates, the four-fifths rule: a group below four fifths of the highest rate.
    For errors (no line), the group with the largest error of a failing result."""
    known = [value for value in values if value is not None]
    if metric == "selection_rate":
        line = FOUR_FIFTHS * max(known)
        failing = [value is not None and value < line for value in values]
        note = f"{FAILING_BARS_NOTE}: below four fifths of the highest rate" if any(failing) else ""
        return failing, threshold(line, label="four fifths"), note
    worst = max(known) if result.outcome == "fail" else None
    failing = [value is not None and value == worst for value in values]
    note = f"{FAILING_BARS_NOTE}: the group with the largest error" if any(failing) else ""
    return failing, {}, note


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
        failing, lines, note = _fairness_marks(result, metric, values)
        figures.append({
            "data": [{"type": "bar", "x": [group["group"] for group in groups], "y": values,
                      "text": [f"{group['rows']} rows" for group in groups],
                      "marker": bar_marks(failing)}],
            "layout": layout(f"{metric.replace('_', ' ').capitalize()} by {result.subject}",
                             result.subject, metric.replace("_", " "), note=note, **lines),
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
                "layout": layout("Degradation under noise", y="share",
                                 xaxis=linear_axis("noise (standard deviations)")),
            }  # fmt: skip
    return None


def latency_histogram(results: Iterable[CheckResult]) -> Figure | None:
    """Calls per latency bin, with the bound as a vertical line; bins wholly beyond the
    bound are marked failing."""
    for result in results:
        histogram = (
            result.evidence.get("histogram") if result.check_key == "efficiency.latency" else None
        )
        if histogram:
            edges, bound = histogram["edges"], result.threshold
            centres = [(low + high) / 2 for low, high in pairwise(edges)]
            failing = [bound is not None and low >= bound for low, _ in pairwise(edges)]
            note = f"{FAILING_BARS_NOTE}: slower than the threshold" if any(failing) else ""
            return {
                "data": [{"type": "bar", "x": centres, "y": histogram["counts"],
                          "marker": bar_marks(failing)}],
                "layout": layout("Latency per call", note=note,
                                 xaxis=linear_axis("milliseconds"),
                                 yaxis=count_axis("calls", histogram["counts"]),
                                 **threshold(bound, comparator=result.comparator,
                                             vertical=True)),
            }  # fmt: skip
    return None
