"""Role rules at their edges: management keeps its organisation-wide rights on a project
where it is also a lesser member; work goes only to project members; list filters tell an
invisible object from a missing one by nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ProjectRole
from apps.findings.models import FindingStatus
from apps.findings.services import (
    corrective_action_create,
    corrective_action_update,
    risk_acceptance_decide,
    risk_acceptance_request,
)
from qualiti.errors import InvalidInput
from tests.evaluations.factories import EvaluationRunFactory
from tests.factories import MembershipFactory, UserFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ProjectCast()


def test_a_manager_who_is_also_a_viewer_still_approves_risk(cast):
    MembershipFactory(project=cast.project, user=cast.manager, role=ProjectRole.VIEWER)
    acceptance = risk_acceptance_request(
        finding=cast.finding(),
        user=cast.qm,
        justification="compensating control",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )

    risk_acceptance_decide(acceptance=acceptance, user=cast.manager, approve=True)

    acceptance.finding.refresh_from_db()
    assert acceptance.finding.status == FindingStatus.RISK_ACCEPTED


def test_a_manager_who_is_also_a_viewer_sees_the_approval_form(cast, client):
    MembershipFactory(project=cast.project, user=cast.manager, role=ProjectRole.VIEWER)
    finding = cast.finding()
    acceptance = risk_acceptance_request(
        finding=finding,
        user=cast.qm,
        justification="compensating control",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client.force_login(cast.manager)

    response = client.post(
        reverse("finding-risk-decide", args=[finding.pk, acceptance.pk]),
        {"decision": "approve"},
    )

    assert response.status_code in (302, 200), response.status_code
    acceptance.refresh_from_db()
    assert acceptance.state == "approved"


def test_an_actions_owner_must_be_a_project_member(cast):
    finding = cast.finding()

    with pytest.raises(InvalidInput, match="The owner must be a member of the project"):
        corrective_action_create(
            finding=finding, user=cast.qm, description="fix", owner_id=cast.outsider.pk
        )
    action = corrective_action_create(
        finding=finding, user=cast.qm, description="fix", owner_id=cast.dev.pk
    )
    with pytest.raises(InvalidInput, match="The owner must be a member of the project"):
        corrective_action_update(
            action=action,
            user=cast.qm,
            version=action.version,
            owner_id=UserFactory().pk,
            fields_given=frozenset({"owner"}),
        )


def test_a_missing_owner_id_is_refused_like_an_outsider(cast):
    with pytest.raises(InvalidInput, match="The owner must be a member of the project"):
        corrective_action_create(
            finding=cast.finding(), user=cast.qm, description="fix", owner_id=10**9
        )


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/runs/", "test_plan"), ("/api/v1/runs/", "model_version"),
     ("/api/v1/check-results/", "run"), ("/api/v1/plan-checks/", "plan")],
)  # fmt: skip
def test_a_filter_by_an_invisible_object_answers_as_a_missing_one(cast, path, field):
    hidden_run = EvaluationRunFactory(project=cast.outsider.memberships.get().project)
    hidden = {
        "test_plan": hidden_run.test_plan_id,
        "model_version": hidden_run.model_version_id,
        "run": hidden_run.pk,
        "plan": hidden_run.test_plan_id,
    }[field]
    client = APIClient()
    client.force_authenticate(cast.qm)

    invisible = client.get(path, {field: hidden})
    missing = client.get(path, {field: 10**9})

    assert invisible.status_code == missing.status_code == 400
    assert invisible.json() == missing.json()
