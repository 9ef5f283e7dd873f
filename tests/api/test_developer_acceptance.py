"""Issue 3's acceptance, as the developer `dev` of the demo project sees it."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.findings.models import Finding, FindingStatus
from tests.api.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def dev(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users["dev"])
    return client


def test_dev_cannot_change_a_criterion(world, dev):
    response = dev.patch(f"/api/v1/criteria/{world.ids['criterion']}/", {"threshold": 0.1})

    assert response.status_code == 403


def test_dev_cannot_approve_a_plan(world, dev):
    response = dev.post(f"/api/v1/test-plans/{world.ids['draft_plan']}/approve/")

    assert response.status_code == 403


@pytest.mark.parametrize("to", ["verified", "false_positive"])
def test_dev_cannot_verify_or_dismiss_a_finding(world, dev, to):
    response = dev.post(
        f"/api/v1/findings/{world.ids['finding']}/transition/",
        {"to": to, "reason": "done", "version": 1},
    )

    assert response.status_code == 403


def test_dev_cannot_approve_a_risk_acceptance(world, dev):
    response = dev.post(f"/api/v1/risk-acceptances/{world.ids['risk_acceptance']}/approve/")

    assert response.status_code == 403


def test_dev_gets_404_on_a_project_where_it_is_not_a_member(dev):
    assert dev.get("/api/v1/projects/elsewhere/").status_code == 404


def test_dev_uploads_a_model_version_and_submits_a_fix_with_a_comment(world, dev):
    uploaded = dev.post(
        "/api/v1/model-versions/",
        {"project": "credit", "label": "1.1 reweighed", "task_type": "binary"},
        format="json",
    )
    finding_id = world.ids["finding"]
    commented = dev.post(
        "/api/v1/comments/", {"finding": finding_id, "body": "Retrained with reweighing."}
    )
    submitted = dev.post(
        f"/api/v1/findings/{finding_id}/transition/",
        {"to": "fix_submitted", "reason": "see model 1.1", "version": 1},
    )

    assert uploaded.status_code == 201
    assert uploaded.json()["sequence"] == 3
    assert commented.status_code == 201
    assert submitted.status_code == 200
    finding = Finding.objects.get(pk=finding_id)
    assert finding.status == FindingStatus.FIX_SUBMITTED
    assert finding.due_date > timezone.localdate() - datetime.timedelta(days=1)
