"""A monitored metric's chart: the threshold labelled with its value, failing batches as
red crosses, the rule and the mark named in the subtitle."""

from apps.monitoring.charts import metric_over_batches
from apps.monitoring.selectors import MonitoredMetric
from tests.support.chart_rules import chart_rule_breaches

BATCHES = ["Week 1", "Week 2", "Week 3"]


def test_a_monitored_metric_labels_its_threshold_and_crosses_failing_batches():
    metric = MonitoredMetric(
        code="DRIFT-01", name="Drift", category="drift", metric="psi", comparator="<=",
        threshold=0.2,
        series={"income": {"Week 1": (0.05, "pass", 1), "Week 2": (0.12, "pass", 2),
                           "Week 3": (0.31, "fail", 3)},
                "age": {"Week 1": (0.02, "pass", 1), "Week 3": (0.04, "pass", 3)}},
    )  # fmt: skip

    figure = metric_over_batches(metric, batches=BATCHES)

    income, age = figure["data"]
    assert income["marker"]["symbol"] == ["circle", "circle", "x"]
    assert age["x"] == ["Week 1", "Week 3"]  # the same data as before
    assert figure["layout"]["annotations"][0]["text"] == "threshold<br>≤ 0.2"
    assert figure["layout"]["title"]["subtitle"]["text"] == "threshold ≤ 0.2; a red cross fails"
    assert figure["layout"]["xaxis"]["categoryarray"] == BATCHES
    assert chart_rule_breaches(figure) == []


def test_a_metric_without_a_threshold_draws_no_line_and_no_label():
    metric = MonitoredMetric(code="PERF-03", name="AUC", category="performance",
                             metric="roc_auc", comparator="", threshold=None,
                             series={"": {"Week 1": (0.8, "pass", 1)}})  # fmt: skip

    layout = metric_over_batches(metric, batches=BATCHES)["layout"]

    assert "shapes" not in layout and "annotations" not in layout
    assert "subtitle" not in layout["title"]
