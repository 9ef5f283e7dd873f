"""Project and portfolio reports: the period's numbers for a constructed history (runs
and verdicts, findings by severity, time to remediate, SLA compliance, risk acceptances),
in a bounded number of queries, and the report's HTML with its charts and commentary."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import ProjectRole
from apps.reports.models import Report, ReportKind
from apps.reports.period import Period, portfolio_period, project_period
from apps.reports.render import report_html
from apps.reports.render.period import report_period
from tests.factories import MembershipFactory
from tests.projects.factories import client_for
from tests.reports.history import History, days_ago, other_project_history

pytestmark = pytest.mark.django_db


def test_it_counts_findings_opened_closed_and_overdue_by_severity():
    history = History()
    other_project_history()

    data = project_period(project=history.cast.project, period=Period.last_days(30))

    assert data.by_severity["opened"] == {"critical": 1, "high": 2, "medium": 0, "low": 0}
    assert data.by_severity["closed"] == {"critical": 0, "high": 2, "medium": 1, "low": 0}
    assert data.by_severity["overdue"] == {"critical": 1, "high": 0, "medium": 0, "low": 1}
    assert data.totals == {"opened": 3, "closed": 3, "overdue": 2}


def test_it_measures_the_time_to_remediate_the_findings_verified_in_the_period():
    history = History()

    data = project_period(project=history.cast.project, period=Period.last_days(30))

    assert data.mttr_days["high"] == pytest.approx(15, abs=0.01)  # the accepted risk is not
    assert data.mttr_days["medium"] == pytest.approx(58, abs=0.01)
    assert data.mttr_days["critical"] is None and data.mttr_days["low"] is None


def test_it_judges_sla_compliance_on_closed_and_still_open_findings():
    history = History()

    sla = project_period(project=history.cast.project, period=Period.last_days(30)).sla

    assert (sla.on_time, sla.late, sla.open_overdue) == (2, 1, 2)
    assert sla.percent == pytest.approx(40)


def test_it_lists_risk_acceptances_granted_and_expiring():
    history = History()

    data = project_period(project=history.cast.project, period=Period.last_days(30))

    assert data.risk_granted == [history.granted] and data.risk_granted_count == 1
    assert data.risk_expiring == [history.granted] and data.risk_expiring_count == 1


def test_it_counts_the_runs_of_the_period_by_verdict_and_draws_the_pass_rate():
    history = History()
    other_project_history()

    data = project_period(project=history.cast.project, period=Period.last_days(30))

    assert data.run_outcomes == {
        "pass": 1, "pass_with_warnings": 0, "fail": 1, "failed": 1, "cancelled": 0,
        "unfinished": 0,
    }  # fmt: skip
    assert data.runs == [history.broken, history.passed, history.failing]
    week_of = {week: index for index, week in enumerate(data.weeks)}
    for run, rate in ((history.passed, 100.0), (history.failing, 50.0)):
        day = timezone.localtime(run.finished_at).date()
        assert data.pass_rate[week_of[day - datetime.timedelta(days=day.weekday())]] == rate


def test_an_earlier_period_counts_what_happened_then():
    history = History()

    data = project_period(
        project=history.cast.project,
        period=Period.last_days(30, end=timezone.localdate() - datetime.timedelta(days=30)),
    )

    assert data.totals["opened"] == 1  # the stale one, 40 days ago
    assert data.run_outcomes["pass_with_warnings"] == 1 and data.runs == [history.outside]
    assert data.risk_granted == [history.far]


def test_the_number_of_queries_does_not_grow_with_the_history(django_assert_num_queries):
    small = History()
    period = Period.last_days(30)
    with django_assert_num_queries(11):
        project_period(project=small.cast.project, period=period)
    large = History()
    for _ in range(4):
        History(large.cast)
    with django_assert_num_queries(11):
        project_period(project=large.cast.project, period=period)
    with django_assert_num_queries(14):
        portfolio_period(user=large.cast.manager, period=period)


def test_the_portfolio_covers_every_project_its_requester_sees():
    history = History()
    other = other_project_history()
    # The first project's quality manager is a viewer of the other one too.
    MembershipFactory(user=history.cast.qm, project=other.project, role=ProjectRole.VIEWER)

    everything = portfolio_period(user=history.cast.manager, period=Period.last_days(30))
    own = portfolio_period(user=history.cast.dev, period=Period.last_days(30))

    rows = {row.project: row for row in everything.projects}
    assert set(rows) >= {history.cast.project, other.project}
    row = rows[history.cast.project]
    assert (row.runs, row.failing_runs, row.opened, row.closed, row.overdue) == (3, 1, 3, 3, 2)
    assert row.latest_verdict == "pass" and row.latest_verdict_label == "Pass"
    assert rows[other.project].latest_verdict == "fail"
    assert [row.project for row in own.projects] == [history.cast.project]
    assert own.totals == {"opened": 3, "closed": 3, "overdue": 2}


def test_a_report_without_a_period_covers_the_last_30_days():
    history = History()
    report = Report.objects.create(kind=ReportKind.PROJECT, project=history.cast.project)

    period = report_period(report)

    assert period == Period.last_days(30) and period.days == 30


def _figures(html: str) -> dict:
    found = re.search(r'<script id="report-figures" type="application/json">(.*?)</script>', html)
    assert found is not None
    return json.loads(found.group(1))


def test_the_project_report_shows_the_numbers_the_charts_and_the_sanitised_commentary():
    history = History()
    report = Report.objects.create(
        kind=ReportKind.PROJECT,
        project=history.cast.project,
        period_start=timezone.localdate() - datetime.timedelta(days=29),
        period_end=timezone.localdate(),
        commentary="Fairness **improved**; income drift is watched.<script>alert(1)</script>",
        created_by=history.cast.qm,
    )

    html = report_html(report)

    assert f"Project report: {history.cast.project.name}" in html
    assert "Fairness <strong>improved</strong>; income drift is watched." in html
    assert "alert(1)" not in html
    assert "3: 1 pass, 1 fail, 1 run failed</dd>" in html
    assert "40% (2 of 5 on time)" in html
    assert "15.0 days" in html and "58.0 days" in html
    assert history.granted.justification in html
    assert set(_figures(html)) == {"trend", "opened-closed", "runs", "severity"}
    for name in ("trend", "opened-closed", "runs", "severity"):
        assert f'data-figure="{name}"' in html


def test_the_portfolio_report_has_a_row_per_project():
    history = History()
    other = other_project_history()
    report = Report.objects.create(
        kind=ReportKind.PORTFOLIO, created_by=history.cast.manager, created_at=days_ago(0)
    )

    html = report_html(report)

    assert "Portfolio report" in html
    assert history.cast.project.name in html and other.project.name in html
    assert html.index("Summary") < html.index("Projects (") < html.index("Runs and their")
    assert "No commentary was written for this period." in html


def test_the_quality_manager_writes_the_commentary_on_the_reports_tab(
    django_capture_on_commit_callbacks,
):
    history = History()
    cast = history.cast
    tab = reverse("project-reports", args=[cast.project.slug])
    body = {"kind": "project", "commentary": "Drift on income is watched."}
    qm, dev = Client(), Client()
    qm.force_login(cast.qm)
    dev.force_login(cast.dev)

    qm_page, dev_page = qm.get(tab).text, dev.get(tab).text
    with django_capture_on_commit_callbacks():
        written = qm.post(reverse("report-request", args=[cast.project.slug]), body)
        refused = dev.post(reverse("report-request", args=[cast.project.slug]), body)

    assert 'name="commentary"' in qm_page and 'name="commentary"' not in dev_page
    assert "Scheduled report" in qm_page and "Scheduled report" in dev_page
    assert 'name="subscribers"' in qm_page and 'name="subscribers"' not in dev_page
    assert written.status_code == 302 and refused.status_code == 403
    [report] = Report.objects.all()
    assert report.kind == ReportKind.PROJECT and report.commentary == body["commentary"]


def test_the_api_takes_the_commentary_from_the_quality_manager_only(
    django_capture_on_commit_callbacks,
):
    cast = History().cast
    body = {"kind": "project", "project": cast.project.slug, "commentary": "All **green**."}

    with django_capture_on_commit_callbacks():
        created = client_for(cast.qm).post("/api/v1/reports/", body, format="json")
        refused = client_for(cast.viewer).post("/api/v1/reports/", body, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["commentary"] == "All **green**."
    assert refused.status_code == 403
    assert "commentary" in refused.json()["detail"]
