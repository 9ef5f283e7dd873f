"""The red / amber / green rule of the portfolio, as DESIGN and the issue state it."""

from apps.dashboards.selectors.portfolio import status_level

NONE = {"critical": 0, "high": 0, "medium": 0, "low": 0}


def level(**changes):
    values = {"blocking_failures": 0, "overdue_critical": 0, "open_by_severity": dict(NONE),
              "overdue_findings": 0, "overdue_actions": 0}  # fmt: skip
    values.update(changes)
    return status_level(**values)


def test_it_is_green_with_only_low_findings_open_and_nothing_overdue():
    assert level(open_by_severity={**NONE, "low": 4}) == ("green", [])


def test_a_blocking_failure_on_the_latest_run_makes_it_red():
    verdict, reasons = level(blocking_failures=2)
    assert verdict == "red"
    assert reasons == ["2 blocking checks failing on the latest run"]


def test_an_overdue_critical_finding_makes_it_red():
    verdict, reasons = level(
        overdue_critical=1, overdue_findings=1, open_by_severity={**NONE, "critical": 1}
    )
    assert verdict == "red"
    assert reasons == ["1 overdue critical finding"]


def test_open_high_or_medium_findings_make_it_amber():
    assert level(open_by_severity={**NONE, "medium": 1})[0] == "amber"
    assert level(open_by_severity={**NONE, "high": 3})[0] == "amber"


def test_an_overdue_action_or_an_overdue_low_finding_makes_it_amber():
    assert level(overdue_actions=1) == ("amber", ["1 overdue corrective action"])
    assert level(overdue_findings=1, open_by_severity={**NONE, "low": 1}) == (
        "amber",
        ["1 overdue finding"],
    )
