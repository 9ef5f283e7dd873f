"""Permissions are decided in the services: a caller that skips the pages and the API (a
script, a task, a future view) is refused exactly as the API refuses, with the same words."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.accounts.permissions import ACTION_WORDS, Action
from apps.accounts.services import membership_create, team_create
from apps.criteria.models import Criterion
from apps.criteria.services import criterion_create
from apps.evaluations.models import EvaluationRun
from apps.evaluations.services import run_cancel, run_create
from apps.findings.models import Finding
from apps.findings.services import finding_create
from apps.projects.models import Dataset, ModelVersion, Project
from apps.projects.services import (
    dataset_create,
    dataset_delete,
    model_version_create,
    project_create,
    project_update,
)
from apps.testplans import services as plan_services
from apps.testplans.models import PlanCheck, TestPlan
from qualiti.errors import NotFound, PermissionRefused
from tests.evaluations.factories import EvaluationRunFactory, LaunchSetup
from tests.factories import UserFactory
from tests.projects.factories import client_for

pytestmark = pytest.mark.django_db

CRITERION = {
    "code": "PERF-X1",
    "name": "Recall at least 0.7",
    "category": "performance",
    "check_key": "performance.classification",
    "metric": "recall",
    "comparator": ">=",
    "threshold": 0.7,
    "severity": "high",
    "rationale": "The business case needs it.",
    "guidance": "Improve the features.",
}


FINDING = {"title": "Slow on big rows", "severity": "low", "category": "efficiency"}


@dataclass(frozen=True)
class Write:
    """One write: the service called directly, the same write through the API, and the
    rows that must stay as they were when it is refused."""

    name: str
    role: str  # the project role that may not do it
    service: Callable[[LaunchSetup, User], Any]
    api: Callable[[LaunchSetup], tuple[str, str, dict]]
    rows: Callable[[], int]


def _draft(setup: LaunchSetup) -> TestPlan:
    """A draft plan of the project, made once by its quality manager."""
    plan = TestPlan.objects.filter(project=setup.project, name="Draft").first()
    return plan or plan_services.test_plan_create(
        project=setup.project, user=setup.qm, name="Draft"
    )


WRITES = [
    Write(
        "project_update",
        ProjectRole.DEVELOPER,
        lambda s, user: project_update(project=s.project, actor=user, name="Renamed"),
        lambda s: ("patch", f"/api/v1/projects/{s.project.slug}/", {"name": "Renamed"}),
        lambda: Project.objects.filter(name="Renamed").count(),
    ),
    Write(
        "membership_create",
        ProjectRole.DEVELOPER,
        lambda s, user: membership_create(
            project=s.project, user=s.manager, role=ProjectRole.VIEWER, actor=user
        ),
        lambda s: (
            "post",
            "/api/v1/memberships/",
            {"project": s.project.slug, "user": s.manager.pk, "role": "viewer"},
        ),
        lambda: Membership.objects.count(),
    ),
    Write(
        "criterion_create",
        ProjectRole.DEVELOPER,
        lambda s, user: criterion_create(project=s.project, user=user, **CRITERION),
        lambda s: ("post", "/api/v1/criteria/", {"project": s.project.slug, **CRITERION}),
        lambda: Criterion.objects.count(),
    ),
    Write(
        "test_plan_create",
        ProjectRole.DEVELOPER,
        lambda s, user: plan_services.test_plan_create(project=s.project, user=user, name="Mine"),
        lambda s: ("post", "/api/v1/test-plans/", {"project": s.project.slug, "name": "Mine"}),
        lambda: TestPlan.objects.count(),
    ),
    Write(
        "plan_check_add",
        ProjectRole.DEVELOPER,
        lambda s, user: plan_services.plan_check_add(
            plan=_draft(s), user=user, criterion=s.criterion
        ),
        lambda s: (
            "post",
            "/api/v1/plan-checks/",
            {"plan": _draft(s).pk, "criterion": s.criterion.pk},
        ),
        lambda: PlanCheck.objects.count(),
    ),
    Write(
        "test_plan_approve",
        ProjectRole.DEVELOPER,
        lambda s, user: plan_services.test_plan_approve(plan=_with_check(s), user=user),
        lambda s: ("post", f"/api/v1/test-plans/{_with_check(s).pk}/approve/", {}),
        lambda: TestPlan.objects.filter(status="approved").count(),
    ),
    Write(
        "model_version_create",
        ProjectRole.VIEWER,
        lambda s, user: model_version_create(
            project=s.project, user=user, uploaded_file=None, label="v9", task_type="binary"
        ),
        lambda s: (
            "post",
            "/api/v1/model-versions/",
            {"project": s.project.slug, "label": "v9", "task_type": "binary"},
        ),
        lambda: ModelVersion.objects.count(),
    ),
    Write(
        "dataset_create (evaluation data)",
        ProjectRole.DEVELOPER,
        lambda s, user: dataset_create(
            project=s.project,
            user=user,
            uploaded_file=ContentFile(b"a,b\n1,2\n", name="e.csv"),
            name="eval",
            role="evaluation",
        ),
        None,  # multipart through the API: covered by tests/projects/test_api_uploads.py
        lambda: Dataset.objects.count(),
    ),
    Write(
        "dataset_delete",
        ProjectRole.DEVELOPER,
        lambda s, user: dataset_delete(dataset=s.dataset, actor=user),
        lambda s: ("delete", f"/api/v1/datasets/{s.dataset.pk}/", {}),
        lambda: Dataset.objects.count(),
    ),
    Write(
        "finding_create",
        ProjectRole.DEVELOPER,
        lambda s, user: finding_create(project=s.project, user=user, **FINDING),
        lambda s: ("post", "/api/v1/findings/", {"project": s.project.slug, **FINDING}),
        lambda: Finding.objects.count(),
    ),
    Write(
        "run_create",
        ProjectRole.VIEWER,
        lambda s, user: run_create(
            project=s.project,
            user=user,
            test_plan=s.plan,
            model_version=s.model_version,
            dataset=s.dataset,
        ),
        lambda s: ("post", "/api/v1/runs/", s.launch_body()),
        lambda: EvaluationRun.objects.count(),
    ),
    Write(
        "run_cancel",
        ProjectRole.VIEWER,
        lambda s, user: run_cancel(run=_queued_run(s), user=user),
        lambda s: ("post", f"/api/v1/runs/{_queued_run(s).pk}/cancel/", {}),
        lambda: EvaluationRun.objects.filter(status="cancelled").count(),
    ),
]


def _with_check(setup: LaunchSetup) -> TestPlan:
    plan = _draft(setup)
    if not plan.checks.exists():
        plan_services.plan_check_add(plan=plan, user=setup.qm, criterion=setup.criterion)
    return plan


def _queued_run(setup: LaunchSetup) -> EvaluationRun:
    return EvaluationRunFactory(
        project=setup.project,
        test_plan=setup.plan,
        model_version=setup.model_version,
        dataset=setup.dataset,
        status="queued",
    )


def _member(setup: LaunchSetup, role: str) -> User:
    return setup.dev if role == ProjectRole.DEVELOPER else setup.viewer


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.name)
def test_a_role_without_the_right_is_refused_by_the_service_itself(write):
    setup = LaunchSetup()
    before = write.rows()

    with pytest.raises(PermissionRefused):
        write.service(setup, _member(setup, write.role))

    assert write.rows() == before


@pytest.mark.parametrize("write", [w for w in WRITES if w.api], ids=lambda write: write.name)
def test_the_api_answers_with_the_services_refusal(write):
    setup = LaunchSetup()
    user = _member(setup, write.role)
    with pytest.raises(PermissionRefused) as refusal:
        write.service(setup, user)
    method, url, body = write.api(setup)
    before = write.rows()

    response = getattr(client_for(user), method)(url, body, format="json")

    assert response.status_code == 403, response.content
    assert response.json()["detail"] == refusal.value.message
    assert write.rows() == before


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.name)
def test_someone_outside_the_project_is_told_it_does_not_exist(write):
    setup = LaunchSetup()

    with pytest.raises(NotFound):
        write.service(setup, setup.outsider)


def test_the_system_itself_and_a_quality_manager_may_write():
    setup = LaunchSetup()

    assert criterion_create(project=setup.project, user=setup.qm, **CRITERION).pk
    assert project_update(project=setup.project, actor=None, name="Renamed").name == "Renamed"


def test_only_admins_and_quality_managers_create_projects_and_teams():
    developer = UserFactory()

    with pytest.raises(PermissionRefused, match="create projects"):
        project_create(user=developer, name="Mine")
    with pytest.raises(PermissionRefused, match="manage teams"):
        team_create(name="Mine", actor=developer)
    assert not Project.objects.filter(name="Mine").exists()
    assert not Team.objects.filter(name="Mine").exists()


def test_where_the_body_would_tell_something_the_refusal_comes_first():
    """Refusals that come before the body is judged, so a writer without the right learns
    nothing from validation: which people exist, which projects exist."""
    setup = LaunchSetup()
    developer = client_for(setup.dev)

    teams = developer.post("/api/v1/teams/", {"name": "T", "members": [10**6]}, format="json")
    missing = client_for(setup.outsider).post(
        "/api/v1/model-versions/", {"project": "no-such-project", "label": "v"}, format="json"
    )
    hidden = client_for(setup.outsider).post(
        "/api/v1/model-versions/", {"project": setup.project.slug, "label": "v"}, format="json"
    )
    page = Client()
    page.force_login(setup.viewer)
    members = page.post(reverse("project-member-add", args=[setup.project.slug]), {"user": ""})

    assert teams.status_code == 403
    assert (missing.status_code, missing.json()) == (hidden.status_code, hidden.json())
    assert missing.status_code == 404
    assert members.status_code == 403
    assert setup.manager.username.encode() not in members.content


def test_every_refusal_is_said_in_words_not_in_code_names():
    setup = LaunchSetup()

    with pytest.raises(PermissionRefused) as refusal:
        model_version_create(
            project=setup.project,
            user=setup.viewer,
            uploaded_file=None,
            label="v",
            task_type="binary",
        )

    assert set(ACTION_WORDS) == set(Action)
    assert (
        refusal.value.message
        == "Your role on this project does not allow uploading model versions."
    )
