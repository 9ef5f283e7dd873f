"""The run page's charts explain themselves: built from real engine results (and a few
stored results of the checks the synthetic plan leaves out), every figure keeps the
shared chart rules, and the fairness, drift and latency charts mark what fails."""

import pytest

from apps.evaluations.charts import run_figures
from apps.evaluations.models import CheckResult
from qualiti.charts import FAIL_PATTERN, RED, number_text
from tests.evaluations.test_charts_curves import synthetic_run_results
from tests.support.chart_rules import all_figures, chart_rule_breaches


def fairness(groups, *, check="fairness.classification", outcome="fail") -> CheckResult:
    return CheckResult(
        check_key=check, category="fairness", subject="sex", outcome=outcome,
        evidence={"groups": [{"group": name, "rows": 400, "judged": True, **values}
                             for name, values in groups]},
    )  # fmt: skip


def latency(counts, *, bound=20.0) -> CheckResult:
    edges = [5.0 * index for index in range(len(counts) + 1)]
    return CheckResult(check_key="efficiency.latency", category="efficiency", threshold=bound,
                       comparator="<=", evidence={"histogram": {"edges": edges,
                                                                "counts": counts}})  # fmt: skip


ROBUSTNESS = CheckResult(
    check_key="robustness.noise", category="robustness",
    evidence={"curve": [{"noise_scale": 0.1, "prediction_flip_rate": 0.01,
                         "relative_metric_drop": 0.0},
                        {"noise_scale": 0.5, "prediction_flip_rate": 0.08,
                         "relative_metric_drop": 0.03}]},
)  # fmt: skip
SELECTION = [("F", {"selection_rate": 0.31}), ("M", {"selection_rate": 0.5}),
             ("X", {"selection_rate": 0.45})]  # fmt: skip


@pytest.fixture(scope="module")
def figures() -> dict:
    results = [*synthetic_run_results(), fairness(SELECTION), latency([3, 40, 22, 9, 2, 1]),
               ROBUSTNESS]  # fmt: skip
    return all_figures(run_figures(results))


def test_every_chart_of_a_run_keeps_the_chart_rules(figures):
    assert {"drift", "fairness-1", "latency", "precision_recall", "robustness"} <= set(figures)
    assert {name: chart_rule_breaches(figure) for name, figure in figures.items()
            if chart_rule_breaches(figure)} == {}  # fmt: skip


def test_the_fairness_chart_labels_its_line_and_hatches_the_group_below_it(figures):
    figure = figures["fairness-1"]

    [line], [label] = figure["layout"]["shapes"], figure["layout"]["annotations"]
    assert line["y0"] == pytest.approx(0.4)  # four fifths of the highest rate, 0.5
    assert label["text"] == f"four fifths<br>{number_text(line['y0'])}"
    bars = figure["data"][0]
    assert bars["x"] == ["F", "M", "X"] and bars["y"] == [0.31, 0.5, 0.45]  # the same data
    assert bars["marker"]["pattern"]["shape"] == [FAIL_PATTERN, "", ""]
    assert bars["marker"]["color"][0] == RED
    assert "below four fifths" in figure["layout"]["title"]["subtitle"]["text"]


def test_the_error_by_group_chart_hatches_the_worst_group_of_a_failing_result():
    groups = [("F", {"mae": 1.2}), ("M", {"mae": 2.5})]

    failed = run_figures([fairness(groups, check="fairness.regression")])["fairness"][0]
    passed = run_figures([fairness(groups, check="fairness.regression", outcome="pass")])

    assert failed["data"][0]["marker"]["pattern"]["shape"] == ["", FAIL_PATTERN]
    assert chart_rule_breaches(failed) == []
    assert passed["fairness"][0]["data"][0]["marker"]["pattern"]["shape"] == ["", ""]
    assert "subtitle" not in passed["fairness"][0]["layout"]["title"]


def test_drift_bars_hatch_the_failing_features_and_label_the_threshold(figures):
    figure = figures["drift"]

    bars = figure["data"][0]
    hatched = [shape == FAIL_PATTERN for shape in bars["marker"]["pattern"]["shape"]]
    assert hatched == [colour == RED for colour in bars["marker"]["color"]]
    assert {name for name, fails in zip(bars["x"], hatched, strict=True) if fails} == {
        "age", "score"
    }  # fmt: skip
    # (the synthetic results keep no comparator; a stored run's label reads "≤ 0.1")
    assert figure["layout"]["annotations"][0]["text"] == "threshold<br>0.1"


def test_the_latency_histogram_counts_calls_on_an_integer_axis_and_hatches_slow_bins(figures):
    figure = figures["latency"]

    axis = figure["layout"]["yaxis"]
    assert (axis["tickformat"], axis["rangemode"]) == ("d", "tozero")
    assert "dtick" not in axis  # forty calls: plotly spaces whole ticks itself
    shapes = figure["data"][0]["marker"]["pattern"]["shape"]
    assert shapes == ["", "", "", "", FAIL_PATTERN, FAIL_PATTERN]  # from 20 ms on
    assert figure["layout"]["annotations"][0]["text"] == "threshold ≤ 20"


def test_a_few_calls_tick_one_by_one():
    figure = run_figures([latency([1, 2, 0, 1])])["latency"]

    assert figure["layout"]["yaxis"]["dtick"] == 1
    assert chart_rule_breaches(figure) == []
