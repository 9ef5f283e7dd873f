"""Risk acceptance on the finding page: the quality manager asks, management decides; the
other roles see no form and are refused (403), an outsider gets 404."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.findings.models import FindingStatus, RiskAcceptance, RiskAcceptanceState
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def request_url(finding) -> str:
    return reverse("finding-risk-request", args=[finding.pk])


def test_the_quality_manager_requests_and_management_approves():
    cast = ProjectCast()
    finding = cast.finding(title="Drift in income", status=FindingStatus.OPEN)
    page = client_for(cast.qm).get(reverse("finding-detail", args=[finding.pk])).content.decode()
    assert "Request risk acceptance" in page and 'for="risk_justification"' in page

    response = client_for(cast.qm).post(
        request_url(finding),
        {"justification": "Seasonal; retrain in Q3.", "expires_on": in_days(60)},
    )

    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get(finding=finding)
    assert acceptance.state == RiskAcceptanceState.PENDING
    manager = client_for(cast.manager)
    page = manager.get(reverse("finding-detail", args=[finding.pk])).content.decode()
    assert "Waiting for management" in page and "Seasonal; retrain in Q3." in page
    assert "Record decision" in page

    response = manager.post(
        reverse("finding-risk-decide", args=[finding.pk, acceptance.pk]),
        {"decision": "approve", "reason": "Low impact."},
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RISK_ACCEPTED
    assert finding.risk_expires_on.isoformat() == in_days(60)


def test_management_may_reject_and_the_finding_stays_open():
    cast = ProjectCast()
    finding = cast.finding(status=FindingStatus.OPEN)
    client_for(cast.qm).post(request_url(finding), {"justification": "x", "expires_on": in_days(9)})
    acceptance = RiskAcceptance.objects.get(finding=finding)

    client_for(cast.manager).post(
        reverse("finding-risk-decide", args=[finding.pk, acceptance.pk]), {"decision": "reject"}
    )

    acceptance.refresh_from_db()
    finding.refresh_from_db()
    assert acceptance.state == RiskAcceptanceState.REJECTED
    assert finding.status == FindingStatus.OPEN


def test_a_date_in_the_past_is_refused_at_its_field():
    cast = ProjectCast()
    finding = cast.finding(status=FindingStatus.OPEN)

    response = client_for(cast.qm).post(
        request_url(finding), {"justification": "Because.", "expires_on": in_days(-1)}
    )

    assert response.status_code == 400
    assert "The expiry date must be in the future." in response.content.decode()
    assert not RiskAcceptance.objects.exists()


def test_other_roles_see_no_form_and_are_refused():
    cast = ProjectCast()
    finding = cast.finding(status=FindingStatus.OPEN)
    data = {"justification": "Because.", "expires_on": in_days(5)}
    for user in (cast.dev, cast.viewer, cast.manager):
        client = client_for(user)
        page = client.get(reverse("finding-detail", args=[finding.pk])).content.decode()
        assert "Request risk acceptance" not in page
        assert client.post(request_url(finding), data).status_code == 403
    assert client_for(cast.outsider).post(request_url(finding), data).status_code == 404
    client_for(cast.qm).post(request_url(finding), data)
    acceptance = RiskAcceptance.objects.get()
    decide = reverse("finding-risk-decide", args=[finding.pk, acceptance.pk])
    assert client_for(cast.qm).post(decide, {"decision": "approve"}).status_code == 403
    assert client_for(cast.outsider).post(decide, {"decision": "approve"}).status_code == 404
    assert RiskAcceptance.objects.get().state == RiskAcceptanceState.PENDING
