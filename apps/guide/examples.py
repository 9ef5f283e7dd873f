"""Example charts for the guide, drawn by the very builders the run and project pages use,
from small invented results: a reader learns to read a chart on the guide and meets the
same chart, drawn the same way, on a run.

Every check gets the project page's trend of a criterion's metric across model versions,
its threshold and a failing version marked; a check with a picture of its own on the run
page (a confusion matrix, drift per feature, …) gets that picture first. The values are
fixed, so the page is the same on every visit.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from apps.dashboards.charts import metric_trend
from apps.dashboards.selectors.project import MetricTrend
from apps.evaluations.charts import (
    calibration_curve,
    confusion_matrix,
    fairness_groups,
    latency_histogram,
    outlier_map,
    robustness_curve,
)
from apps.evaluations.charts.data import drift_columns, feature_distribution
from apps.evaluations.engine.names import metric_name
from apps.evaluations.engine.registry import Check
from apps.evaluations.models import CheckResult
from apps.guide.statistics import parameter_defaults
from qualiti.charts import Figure, threshold_text

EXAMPLE = "Example with invented values"
TRENDLESS = [0.12, 0.09, 0.2, 0.1]  # a metric no criterion judges, across four versions


@dataclass(frozen=True)
class Judgement:
    """How a criterion judges the check: the catalogue's template, or the command line's
    default plan (no code) when no template uses the check."""

    code: str
    name: str
    metric: str
    comparator: str
    threshold: float


@dataclass(frozen=True)
class Example:
    name: str  # the figure's name in the page's JSON
    figure: Figure
    reading: str  # how to read it, in a sentence or three

    @property
    def label(self) -> str:
        return f"{self.figure['layout']['title']['text']} ({EXAMPLE.lower()})"


Pictures = list[tuple[Figure | None, str]]


def _confusion(check: Check) -> Pictures:
    evidence = {"classes": ["declined", "approved"], "confusion_matrix": [[412, 38], [61, 189]]}
    result = CheckResult(check_key=check.key, category=check.category, evidence=evidence)
    return [(confusion_matrix([result]),
             "Rows are the true classes, columns the predicted ones: the diagonal counts the "
             "rows predicted right and every other cell one kind of mistake. Here 61 approved "
             "rows were predicted declined, the cell to read first when the recall of "
             "approved is low.")]  # fmt: skip


def _calibration(check: Check) -> Pictures:
    predicted = [0.05 + 0.1 * index for index in range(10)]
    observed = [0.04, 0.13, 0.22, 0.31, 0.4, 0.47, 0.53, 0.6, 0.66, 0.72]
    counts = [180, 140, 120, 90, 80, 70, 60, 55, 50, 45]
    curve = {"mean_predicted": predicted, "observed_frequency": observed, "count": counts}
    evidence = {"confidence": "probability of 'approved'", "reliability_curve": curve}
    result = CheckResult(check_key=check.key, category=check.category, evidence=evidence)
    return [(calibration_curve([result]),
             "Each point is a bin of rows with similar predicted probabilities: across, their "
             "mean prediction; up, how often the event really happened. A calibrated model "
             "sits on the diagonal. Here the points fall below it from 0.5 up: the model "
             "promises more than it delivers, it is overconfident.")]  # fmt: skip


def _drift(check: Check) -> Pictures:
    effects = [("income", 0.31, "fail"), ("age", 0.14, "fail"), ("tenure", 0.06, "pass"),
               ("region", 0.03, "pass")]  # fmt: skip
    results = [
        CheckResult(check_key=check.key, category=check.category, subject=feature,
                    metric="effect_size", observed={"effect_size": effect}, outcome=outcome,
                    comparator="<=", threshold=0.1)
        for feature, effect, outcome in effects
    ]  # fmt: skip
    results[0].evidence = {"distribution": {
        "edges": [0, 10, 20, 30, 40, 50, 60, 70, 80],
        "reference": [40, 120, 210, 190, 150, 80, 40, 20],
        "evaluation": [20, 60, 130, 170, 190, 150, 90, 40]}}  # fmt: skip
    return [
        (drift_columns(results),
         "One bar per feature, the largest shift first. The dashed line is the threshold; a "
         "hatched red bar is a feature whose shift passes it (and, by default, a significant "
         "test), so start with the leftmost."),
        (feature_distribution(results[0]),
         "One feature's values in the reference data (outlines) and in the evaluation data "
         "(filled), each as a share of its own rows over the same bins. Here the filled bars "
         "lean right: the evaluation rows hold higher incomes than the model learnt from."),
    ]  # fmt: skip


def _fairness(check: Check) -> Pictures:
    if check.key == "fairness.regression":
        groups = [("F", {"mae": 7.9}), ("M", {"mae": 5.1}), ("X", {"mae": 5.6})]
        reading = (
            "One bar per group: the model's mean absolute error on its rows. When the check "
            "fails, the group with the largest error is hatched red; the criterion judges how "
            "far its error is from the others'."
        )
    else:
        groups = [("F", {"selection_rate": 0.28}), ("M", {"selection_rate": 0.46}),
                  ("X", {"selection_rate": 0.41})]  # fmt: skip
        reading = (
            "One bar per group: the share of its rows the model selects (predicts the "
            "positive class). The dashed line is four fifths of the highest rate; a hatched "
            "red bar below it is a group selected less than 80% as often as the most selected "
            "one, the four-fifths rule's sign of adverse impact."
        )
    evidence = {"groups": [{"group": name, "rows": 400, "judged": True, **values}
                           for name, values in groups]}  # fmt: skip
    result = CheckResult(check_key=check.key, category=check.category, subject="sex",
                         outcome="fail", evidence=evidence)  # fmt: skip
    figures = fairness_groups([result])
    return [(figures[0] if figures else None, reading)]


def _robustness(check: Check) -> Pictures:
    scales = [0.01, 0.05, 0.1, 0.25, 0.5]
    flips, drops = [0.0, 0.01, 0.03, 0.09, 0.2], [0.0, 0.0, 0.01, 0.04, 0.11]
    curve = [{"noise_scale": scale, "prediction_flip_rate": flip, "relative_metric_drop": drop}
             for scale, flip, drop in zip(scales, flips, drops, strict=True)]  # fmt: skip
    result = CheckResult(check_key=check.key, category=check.category, evidence={"curve": curve})
    noise = parameter_defaults(check).get("noise_scale")
    return [(robustness_curve([result]),
             "Across, the noise added to the numeric inputs, in standard deviations; up, the "
             "share of predictions that changed and the relative drop of the metric. A robust "
             "model keeps both lines low at the noise its inputs really carry (the check "
             f"judges {noise} by default).")]  # fmt: skip


def _latency(check: Check, judgement: Judgement | None) -> Pictures:
    bound = judgement.threshold if judgement and judgement.metric.endswith("_ms") else 100.0
    edges = [bound * step / 8 for step in range(17)]
    counts = [0, 40, 310, 420, 260, 120, 60, 30, 14, 9, 6, 4, 2, 1, 1, 0]
    result = CheckResult(check_key=check.key, category=check.category, comparator="<=",
                         threshold=bound, evidence={"histogram": {"edges": edges,
                                                                  "counts": counts}})  # fmt: skip
    return [(latency_histogram([result]),
             "Each bar counts the calls whose latency fell in its range of milliseconds; the "
             "dashed line is the bound and hatched red bars are calls slower than it. The "
             "long tail on the right is what the 95th and 99th percentiles catch and the "
             "median hides.")]  # fmt: skip


def _outliers(check: Check) -> Pictures:
    # A deterministic cloud (a sunflower spiral) and four rows far from it.
    angles = [index * 2.39996 for index in range(80)]
    radii = [2.2 * math.sqrt(index / 80) for index in range(80)]
    sample = {"x": [round(r * math.cos(a), 3) for r, a in zip(radii, angles, strict=True)],
              "y": [round(0.6 * r * math.sin(a), 3) for r, a in zip(radii, angles, strict=True)],
              "score": [round(0.35 + 0.05 * r, 3) for r in radii]}  # fmt: skip
    outliers = {"x": [4.6, -4.1, 3.7, 0.4], "y": [2.6, -2.3, -2.9, 3.4],
                "score": [0.74, 0.71, 0.69, 0.66]}  # fmt: skip
    evidence = {"map": {"axes": ["component 1", "component 2"],
                        "explained_variance": [0.41, 0.22], "sample": sample,
                        "outliers": outliers},
                "shown_rows": [{"row": row} for row in (1187, 42, 905, 2210)]}  # fmt: skip
    result = CheckResult(check_key=check.key, category=check.category, evidence=evidence)
    return [(outlier_map([result]),
             "Grey dots are a sample of the evaluation rows, placed along the two directions "
             "in which the inputs vary most; red crosses are the rows the check found most "
             "isolated. A cross far from the cloud is a row unlike the others: read it in the "
             "flagged rows to tell a data error from a rare but real case.")]  # fmt: skip


_RUN_PICTURES: dict[str, Callable[[Check], Pictures]] = {
    "performance.classification": _confusion,
    "calibration.classification": _calibration,
    "drift.columns": _drift,
    "fairness.classification": _fairness,
    "fairness.regression": _fairness,
    "robustness.noise": _robustness,
    "anomaly.input_outliers": _outliers,
}


def _passes(value: float, comparator: str, bound: float) -> bool:
    return {"<=": value <= bound, "<": value < bound, ">=": value >= bound,
            ">": value > bound}[comparator]  # fmt: skip


def _trend_values(metric: str, comparator: str, bound: float) -> list[float]:
    """Four versions' values: the first two pass, the third fails, the fourth passes again.
    Values stay in the metric's likely range: shares between 0 and 1, counts whole."""
    count = metric.endswith("_count")
    if comparator in ("<=", "<"):
        if bound == 0:
            failing = 2.0 if count else 0.03
            return [0.0, 0.0, failing, 0.0]
        failing = bound * 1.6 if bound >= 1 or count else min(bound * 1.6, (bound + 1) / 2)
        return [bound * 0.5, bound * 0.8, failing, bound * 0.6]
    if bound == 0:
        return [0.15, 0.1, -0.05, 0.12]
    if bound >= 1:
        return [bound * 1.3, bound * 1.1, bound * 0.7, bound * 1.2]
    room = 1 - bound
    return [bound + room * 0.5, bound + room * 0.3, bound * 0.85, bound + room * 0.4]


def _in_sentence(metric: str) -> str:
    """A metric's name inside a sentence: "demographic parity ratio", but "ROC AUC"."""
    name = metric_name(metric)
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _trend(check: Check, judgement: Judgement | None) -> tuple[Figure, str]:
    versions = ["v1", "v2", "v3", "v4"]
    if judgement is None:
        points = [
            (version, value, "pass") for version, value in zip(versions, TRENDLESS, strict=True)
        ]
        trend = MetricTrend(code="", name="", metric=check.default_metric, comparator="",
                            threshold=None, points=points)  # fmt: skip
        reading = (
            f"Each point is the {_in_sentence(check.default_metric)} of one model "
            "version, as the project page draws a criterion's metric. No catalogue criterion "
            "judges this check yet: a project's own criterion adds its threshold as a dashed "
            "red line and marks the versions that fail it with red crosses."
        )
        figure = metric_trend(trend)
        figure["layout"]["title"]["text"] = f"{metric_name(check.default_metric)} by version"
        return figure, reading
    values = [round(value, 4) for value in _trend_values(judgement.metric, judgement.comparator,
                                                        judgement.threshold)]  # fmt: skip
    outcomes = ["pass" if _passes(value, judgement.comparator, judgement.threshold) else "fail"
                for value in values]  # fmt: skip
    trend = MetricTrend(code=judgement.code, name=judgement.name, metric=judgement.metric,
                        comparator=judgement.comparator, threshold=judgement.threshold,
                        points=list(zip(versions, values, outcomes, strict=True)))  # fmt: skip
    rule = threshold_text(judgement.threshold, comparator=judgement.comparator, label="")
    failing = [version for version, outcome in zip(versions, outcomes, strict=True)
               if outcome == "fail"]  # fmt: skip
    criterion = f"criterion {judgement.code}" if judgement.code else "its criterion"
    whose = (
        f"for criterion {judgement.code}"
        if judgement.code
        else "for a criterion judged as the command line's default plan judges it"
    )
    reading = (
        f"Each point is the {_in_sentence(judgement.metric)} of one model version, as "
        f"the project page draws it {whose}. The dashed red line is the threshold: a version "
        f"passes when its value is {rule}. {' and '.join(failing)} misses it and is drawn as "
        f"a red cross: a run of that version fails {criterion}, and the finding stays open "
        "until a newer version passes."
    )
    figure = metric_trend(trend)
    if not judgement.code:
        figure["layout"]["title"]["text"] = f"{metric_name(judgement.metric)} by version"
    return figure, reading


def check_examples(check: Check, judgement: Judgement | None) -> list[Example]:
    """The example charts of a check's guide page, each with how to read it."""
    if check.key == "efficiency.latency":
        pictures = _latency(check, judgement)
    else:
        pictures = _RUN_PICTURES.get(check.key, lambda _: [])(check)
    pictures.append(_trend(check, judgement))
    return [
        Example(name=f"example-{number}", figure=figure, reading=reading)
        for number, (figure, reading) in enumerate(
            ((figure, reading) for figure, reading in pictures if figure is not None), start=1
        )
    ]
