import datetime

import pytest

from apps.accounts.models import Notification
from apps.audit.models import StatusChange
from apps.findings.models import Finding, FindingStatus, RiskAcceptanceState
from apps.findings.selectors import finding_list
from apps.findings.services import (
    finding_create,
    risk_acceptance_decide,
    risk_acceptance_request,
    risk_acceptances_expire,
)
from qualiti.errors import InvalidInput, PermissionRefused
from tests.findings.factories import ProjectCast
from tests.support.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_on_collection_day")]


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.mark.parametrize(
    ("severity", "days"), [("critical", 7), ("high", 30), ("medium", 90), ("low", 180)]
)
def test_the_due_date_follows_the_default_sla(cast, severity, days):
    finding = finding_create(
        project=cast.project, user=cast.qm, title="t", severity=severity, category="fairness"
    )

    assert finding.due_date == TODAY + datetime.timedelta(days=days)
    assert finding.assigned_team == cast.team


def test_the_project_sla_settings_apply(cast):
    cast.project.sla_high_days = 14
    cast.project.save()

    finding = finding_create(
        project=cast.project, user=cast.qm, title="t", severity="high", category="fairness"
    )

    assert finding.due_date == TODAY + datetime.timedelta(days=14)


def test_findings_know_whether_and_how_long_they_are_overdue(cast):
    late = cast.finding(due_date=TODAY - datetime.timedelta(days=5))
    on_time = cast.finding(due_date=TODAY + datetime.timedelta(days=1))
    closed_late = cast.finding(
        due_date=TODAY - datetime.timedelta(days=9), status=FindingStatus.VERIFIED
    )

    findings = {finding.pk: finding for finding in finding_list(user=cast.qm)}

    assert (findings[late.pk].is_overdue, findings[late.pk].overdue_days) == (True, 5)
    assert (findings[on_time.pk].is_overdue, findings[on_time.pk].overdue_days) == (False, 0)
    assert findings[closed_late.pk].is_overdue is False


def test_the_quality_manager_requests_and_management_approves(cast):
    finding = cast.finding()
    expires = TODAY + datetime.timedelta(days=60)

    acceptance = risk_acceptance_request(
        finding=finding, user=cast.qm, justification="compensating control", expires_on=expires
    )
    assert Notification.objects.filter(user=cast.manager, kind="risk_requested").exists()
    risk_acceptance_decide(acceptance=acceptance, user=cast.manager, approve=True)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.RISK_ACCEPTED
    assert finding.risk_expires_on == expires
    acceptance.refresh_from_db()
    assert (acceptance.state, acceptance.decided_by) == (RiskAcceptanceState.APPROVED, cast.manager)


@pytest.mark.parametrize("role", ["dev", "viewer", "manager"])
def test_only_the_quality_manager_requests(cast, role):
    with pytest.raises(PermissionRefused):
        risk_acceptance_request(
            finding=cast.finding(),
            user=getattr(cast, role),
            justification="j",
            expires_on=TODAY + datetime.timedelta(days=3),
        )


@pytest.mark.parametrize("role", ["qm", "dev", "viewer"])
def test_only_management_or_admin_approves(cast, role):
    acceptance = risk_acceptance_request(
        finding=cast.finding(),
        user=cast.qm,
        justification="j",
        expires_on=TODAY.replace(year=TODAY.year + 1),
    )

    with pytest.raises(PermissionRefused):
        risk_acceptance_decide(acceptance=acceptance, user=getattr(cast, role), approve=True)
    assert Finding.objects.get().status == FindingStatus.OPEN


def test_an_expiry_in_the_past_is_refused(cast):
    with pytest.raises(InvalidInput, match="in the future"):
        risk_acceptance_request(
            finding=cast.finding(), user=cast.qm, justification="j", expires_on=TODAY
        )


def test_a_decision_is_taken_once(cast):
    acceptance = risk_acceptance_request(
        finding=cast.finding(),
        user=cast.qm,
        justification="j",
        expires_on=TODAY.replace(year=TODAY.year + 1),
    )
    risk_acceptance_decide(acceptance=acceptance, user=cast.admin, approve=False)

    with pytest.raises(InvalidInput, match="already rejected"):
        risk_acceptance_decide(acceptance=acceptance, user=cast.manager, approve=True)
    assert Finding.objects.get().status == FindingStatus.OPEN


def test_the_periodic_task_reopens_expired_acceptances(cast):
    expired = cast.finding(
        status=FindingStatus.RISK_ACCEPTED, risk_expires_on=TODAY - datetime.timedelta(days=1)
    )
    current = cast.finding(
        status=FindingStatus.RISK_ACCEPTED, risk_expires_on=TODAY + datetime.timedelta(days=1)
    )

    assert risk_acceptances_expire(today=TODAY) == 1
    assert risk_acceptances_expire(today=TODAY) == 0  # a repeated call is harmless

    expired.refresh_from_db()
    current.refresh_from_db()
    assert expired.status == FindingStatus.OPEN
    assert current.status == FindingStatus.RISK_ACCEPTED
    change = StatusChange.objects.get(object_id=expired.pk)
    assert change.actor is None
    assert "expired" in change.reason
