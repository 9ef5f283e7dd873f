"""The numbers management asks for: time to remediate, age, opened and closed per week,
SLA compliance, pass rate per week."""

import datetime

import pytest
from django.utils import timezone

from apps.dashboards.selectors import management
from apps.findings.models import Finding, FindingStatus
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def aged(finding: Finding, *, opened_days_ago: float, closed_days_ago: float | None = None):
    """Back-date a finding (created_at is set on insert, so it is updated after)."""
    now = timezone.now()
    changes = {"created_at": now - opened_days_ago * DAY}
    if closed_days_ago is not None:
        changes["closed_at"] = now - closed_days_ago * DAY
    Finding.objects.filter(pk=finding.pk).update(**changes)
    return finding


def test_mean_time_to_remediate_counts_verified_findings_per_severity():
    cast = ProjectCast()
    verified = FindingStatus.VERIFIED
    aged(cast.finding(severity="high", status=verified), opened_days_ago=12, closed_days_ago=2)
    aged(cast.finding(severity="high", status=verified), opened_days_ago=30, closed_days_ago=10)
    # Never remediated: a false positive is closed but not fixed.
    aged(cast.finding(severity="high", status=FindingStatus.FALSE_POSITIVE), opened_days_ago=90,
         closed_days_ago=0)  # fmt: skip
    mttr = management.mean_time_to_remediate(Finding.objects.all())
    assert mttr["high"] == pytest.approx(15.0, abs=1e-3)
    assert mttr["critical"] is None


def test_open_findings_fall_in_their_age_bucket():
    cast = ProjectCast()
    for days in (1, 29, 45, 75, 200, 201):
        aged(cast.finding(), opened_days_ago=days)
    aged(cast.finding(status=FindingStatus.VERIFIED), opened_days_ago=100, closed_days_ago=1)
    buckets = management.findings_by_age(Finding.objects.all(), now=timezone.now())
    assert list(buckets.values()) == [2, 1, 1, 2]


def test_opened_and_closed_are_counted_in_their_weeks():
    cast = ProjectCast()
    today = timezone.localdate()
    weeks = management.week_starts(today=today, weeks=3)
    assert weeks[-1] == today - datetime.timedelta(days=today.weekday())
    aged(cast.finding(), opened_days_ago=0)
    old = aged(cast.finding(status=FindingStatus.VERIFIED), opened_days_ago=today.weekday() + 3,
               closed_days_ago=0)  # fmt: skip
    counts = management.opened_and_closed_per_week(Finding.objects.all(), weeks=weeks)
    assert counts["opened"] == [0, 1, 1]
    assert counts["closed"] == [0, 0, 1]
    assert counts["open"] == [0, 1, 1]  # the old one was open at the end of last week
    assert old.pk


def test_sla_compliance_weighs_on_time_against_late_and_open_overdue():
    cast = ProjectCast()
    today = timezone.localdate()
    verified = FindingStatus.VERIFIED
    aged(cast.finding(status=verified, due_date=today), opened_days_ago=5, closed_days_ago=1)
    aged(cast.finding(status=verified, due_date=today - 3 * DAY), opened_days_ago=9,
         closed_days_ago=1)  # fmt: skip
    cast.finding(due_date=today - DAY)  # open and overdue
    cast.finding(due_date=today + DAY)  # open, not yet due: not judged
    sla = management.sla_compliance(Finding.objects.all(), today=today)
    assert (sla.on_time, sla.late, sla.open_overdue) == (1, 1, 1)
    assert sla.percent == pytest.approx(100 / 3)


def test_pass_rate_per_week_reads_the_checks_of_finished_runs():
    cast = ProjectCast()
    weeks = management.week_starts(today=timezone.localdate(), weeks=2)
    EvaluationRunFactory(project=cast.project, status="succeeded", finished_at=timezone.now(),
                         summary={"pass": 3, "fail": 1, "error": 0, "skipped": 2})  # fmt: skip
    EvaluationRunFactory(project=cast.project, status="failed", finished_at=timezone.now(),
                         summary={"pass": 0, "fail": 9})  # fmt: skip
    from apps.evaluations.models import EvaluationRun

    assert management.pass_rate_per_week(EvaluationRun.objects.all(), weeks=weeks) == [None, 75.0]
