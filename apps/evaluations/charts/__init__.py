"""Charts of a run's results, as plotly figure specs (data and layout) that the pages
hand to plotly.js from static/. One function per picture; each returns None (or an empty
list) when the run holds nothing to draw."""

from typing import Any

from apps.evaluations.charts.behaviour import (
    fairness_groups,
    latency_histogram,
    robustness_curve,
)
from apps.evaluations.charts.data import drift_columns, drift_distributions, outlier_map
from apps.evaluations.charts.model import (
    calibration_curve,
    confusion_matrix,
    precision_recall_curve,
    roc_curve,
)
from apps.evaluations.models import CheckResult
from qualiti.charts import Figure

__all__ = ["Figure", "distribution_choices", "run_figures"]
DISTRIBUTION_PREFIX = "distribution-"


def run_figures(results: list[CheckResult]) -> dict[str, Any]:
    """Every picture of a run by name: one figure each, except "fairness" (a list, one per
    subject); each feature's distribution is "distribution-1", "distribution-2", …"""
    drawn = {
        "confusion": confusion_matrix(results),
        "roc": roc_curve(results),
        "precision_recall": precision_recall_curve(results),
        "calibration": calibration_curve(results),
        "drift": drift_columns(results),
        "robustness": robustness_curve(results),
        "anomalies": outlier_map(results),
        "latency": latency_histogram(results),
    }
    figures: dict[str, Any] = {name: figure for name, figure in drawn.items() if figure is not None}
    fairness = fairness_groups(results)
    if fairness:
        figures["fairness"] = fairness
    for number, figure in enumerate(drift_distributions(results), start=1):
        figures[f"{DISTRIBUTION_PREFIX}{number}"] = figure
    return figures


def distribution_choices(figures: dict[str, Any]) -> list[dict[str, str]]:
    """The features whose distribution can be shown, as the page's select lists them."""
    return [
        {"figure": name, "feature": figure["feature"], "title": figure["layout"]["title"]["text"]}
        for name, figure in figures.items()
        if name.startswith(DISTRIBUTION_PREFIX)
    ]
