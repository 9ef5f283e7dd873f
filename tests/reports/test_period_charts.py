"""A period report's own charts: runs and findings counted on integer axes however many
there are, failing runs hatched, findings by kind in the shared colours and patterns."""

from types import SimpleNamespace

from apps.dashboards.selectors.portfolio import SEVERITIES
from apps.reports.period_charts import findings_by_severity, run_outcomes
from qualiti.charts import FAIL_PATTERN, GREEN
from tests.support.chart_rules import chart_rule_breaches


def period(outcomes: dict[str, int]) -> SimpleNamespace:
    counts = {severity: index for index, severity in enumerate(SEVERITIES)}
    kinds = {kind: counts for kind in ("opened", "closed", "overdue")}
    return SimpleNamespace(run_outcomes=outcomes, by_severity=kinds)


def test_many_runs_are_counted_in_whole_runs_without_a_tick_per_run():
    figure = run_outcomes(period({"pass": 140, "fail": 12, "failed": 3, "cancelled": 0}))

    axis = figure["layout"]["yaxis"]
    assert axis["tickformat"] == "d" and "dtick" not in axis
    bars = figure["data"][0]
    assert bars["x"] == ["Pass", "Fail", "Run failed"] and bars["y"] == [140, 12, 3]
    assert bars["marker"]["pattern"]["shape"] == ["", FAIL_PATTERN, FAIL_PATTERN]
    assert figure["layout"]["title"]["subtitle"]["text"] == "hatched bars: runs that failed"
    assert chart_rule_breaches(figure) == []


def test_a_few_runs_tick_one_by_one():
    figure = run_outcomes(period({"pass": 2, "fail": 0}))

    assert figure["layout"]["yaxis"]["dtick"] == 1
    assert "subtitle" not in figure["layout"]["title"]
    assert chart_rule_breaches(figure) == []


def test_findings_by_severity_tell_their_kinds_by_colour_and_pattern():
    figure = findings_by_severity(period({}))

    opened, closed, overdue = figure["data"]
    assert closed["marker"]["color"] == GREEN and opened["marker"]["color"] != GREEN
    patterns = {trace["marker"]["pattern"]["shape"] for trace in figure["data"]}
    assert len(patterns) == 3
    assert overdue["name"] == "Overdue at the end"
    assert chart_rule_breaches(figure) == []
