"""The dashboards' charts explain themselves: weeks on date axes, counts on integer axes,
the pass rate drawn over the open findings, open findings never green, the versions
timeline a row per version label with dates that read, thresholds labelled."""

import datetime
from types import SimpleNamespace

from apps.dashboards import charts
from apps.dashboards.selectors.project import MetricTrend
from qualiti.charts import GREEN, RED
from tests.support.chart_rules import chart_rule_breaches

MONDAY = datetime.date(2025, 1, 6)
WEEKS = [MONDAY + datetime.timedelta(weeks=index) for index in range(12)]


def test_the_portfolio_trend_draws_the_pass_rate_over_the_open_findings_by_week():
    figure = charts.portfolio_trend(
        weeks=WEEKS, pass_rate=[None, 50.0, *[80.0] * 10], open_findings=[0, 1, *[2] * 10]
    )

    bars, line = figure["data"]  # the later trace is drawn on top
    assert bars["type"] == "bar" and line["mode"] == "lines+markers"
    assert line["yaxis"] == "y2" and figure["layout"]["yaxis2"]["overlaying"] == "y"
    assert line["marker"]["size"] >= 8  # markers a reader can see on the bars
    assert bars["x"] == line["x"] == [week.isoformat() for week in WEEKS]
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert bars["marker"]["color"] not in (GREEN, "#c9d3e3")  # open: a warning colour
    assert figure["layout"]["yaxis"]["dtick"] == 1
    assert chart_rule_breaches(figure) == []


def test_opened_and_closed_findings_are_counted_per_week_in_their_own_colours():
    figure = charts.opened_and_closed(weeks=WEEKS, opened=[1] * 12, closed=[0] * 11 + [3])

    opened, closed = figure["data"]
    assert (opened["marker"]["color"], closed["marker"]["color"]) == (RED, GREEN)
    assert closed["marker"]["pattern"]["shape"]  # told apart without colour too
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert chart_rule_breaches(figure) == []


def test_open_findings_by_age_are_never_green_and_counted_in_whole_findings():
    figure = charts.findings_by_age({"under a week": 1, "1-4 weeks": 0, "older": 2})

    assert GREEN not in figure["data"][0]["marker"]["color"]
    assert figure["layout"]["yaxis"]["tickformat"] == "d"
    assert chart_rule_breaches(figure) == []


def version(sequence, verdict, created_at):
    return SimpleNamespace(sequence=sequence, label=f"{sequence}.0", latest_verdict=verdict,
                           created_at=created_at)  # fmt: skip


def test_the_versions_timeline_gives_each_version_label_a_row_at_its_upload_date():
    moment = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
    versions = [
        version(1, "fail", moment),
        version(2, "pass", moment + datetime.timedelta(seconds=3)),  # the same day
        version(3, None, moment + datetime.timedelta(days=9)),
    ]

    figure = charts.versions_timeline(versions)

    layout = figure["layout"]
    assert layout["yaxis"]["type"] == "category" and layout["yaxis"]["automargin"]
    assert layout["yaxis"]["categoryarray"] == ["v1", "v2", "v3"]
    assert layout["xaxis"]["type"] == "date" and "tickformat" not in layout["xaxis"]
    assert layout["xaxis"]["tickformatstops"]  # seconds apart, the ticks tell the times
    fail = next(trace for trace in figure["data"] if trace["name"] == "Fail")
    assert fail["y"] == ["v1"] and fail["x"] == [moment.isoformat()]
    assert fail["marker"]["symbol"] == "x" and "text" not in fail  # nothing to clip
    assert chart_rule_breaches(figure) == []


def test_a_metric_trend_labels_its_threshold_and_crosses_the_failing_versions():
    points = [("v1", 0.6, "fail"), ("v2", 0.93, "pass")]
    trend = MetricTrend(code="PERF-01", name="Recall", metric="recall", comparator=">=",
                        threshold=0.9, points=points)  # fmt: skip

    figure = charts.metric_trend(trend)

    assert figure["layout"]["annotations"][0]["text"] == "threshold<br>≥ 0.9"
    assert figure["layout"]["title"] == {
        "text": "PERF-01 Recall",
        "subtitle": {"text": "threshold ≥ 0.9; a red cross fails"},
    }
    assert figure["data"][0]["marker"]["symbol"] == ["x", "circle"]
    assert chart_rule_breaches(figure) == []
