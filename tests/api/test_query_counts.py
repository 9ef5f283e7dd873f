"""List endpoints do the same number of queries for 1 row and for 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import Membership, Notification, Team, User
from apps.audit.models import StatusChange
from apps.criteria.models import Criterion, CriterionTemplate
from apps.evaluations.models import CheckResult, EvaluationRun
from apps.findings.models import Comment, CorrectiveAction, Finding, RiskAcceptance
from apps.projects.models import Dataset, ModelVersion, Project
from apps.testplans.models import PlanCheck, TestPlan
from tests.api.world import World, build_world

MORE = 99


def copies(model, template, count: int, **varying) -> None:
    """`count` copies of a row, each with the varying fields computed from its index."""
    fields = {
        f.attname: getattr(template, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key
    }
    model.objects.bulk_create(
        model(**{**fields, **{key: make(i) for key, make in varying.items()}}) for i in range(count)
    )


def more_findings(world: World) -> None:
    copies(Finding, Finding.objects.get(pk=world.ids["finding"]), MORE, title=lambda i: f"F{i}")


def more_risk_acceptances(world: World) -> None:
    more_findings(world)
    template = RiskAcceptance.objects.get()
    for finding in Finding.objects.exclude(pk=world.ids["finding"])[:MORE]:
        copies(RiskAcceptance, template, 1, finding_id=lambda i, f=finding: f.pk)


def more_users(world: World) -> None:
    for i in range(MORE):
        user = User.objects.create(username=f"user{i}")
        Membership.objects.create(user=user, project=world.project, role="viewer")


def more_projects(world: World) -> None:
    for i in range(MORE):
        project = Project.objects.create(
            name=f"P{i}", slug=f"p{i}", development_team_id=world.ids["team"]
        )
        Membership.objects.create(user=world.users["qm"], project=project, role="quality_manager")


def more_plans(world: World) -> None:
    template = TestPlan.objects.get(pk=world.ids["draft_plan"])
    for i in range(MORE):
        plan = TestPlan.objects.create(
            project=world.project, name=f"Plan {i}", created_by=template.created_by
        )
        copies(
            PlanCheck,
            PlanCheck.objects.get(pk=world.ids["plan_check"]),
            2,
            plan_id=lambda _, p=plan: p.pk,
        )


LISTS = {
    "findings": more_findings,
    "risk-acceptances": more_risk_acceptances,
    "corrective-actions": lambda w: copies(CorrectiveAction, CorrectiveAction.objects.get(), MORE),
    "comments": lambda w: copies(Comment, Comment.objects.get(), MORE),
    "history": lambda w: copies(StatusChange, StatusChange.objects.get(), MORE),
    "runs": lambda w: copies(EvaluationRun, EvaluationRun.objects.get(), MORE),
    "check-results": lambda w: copies(
        CheckResult, CheckResult.objects.get(), MORE, subject=lambda i: f"s{i}"
    ),
    "test-plans": more_plans,
    "plan-checks": lambda w: copies(PlanCheck, PlanCheck.objects.get(pk=w.ids["plan_check"]), MORE),
    "memberships": more_users,
    "users": more_users,
    "projects": more_projects,
    "model-versions": lambda w: copies(
        ModelVersion,
        ModelVersion.objects.get(pk=w.ids["model_version"]),
        MORE,
        sequence=lambda i: 10 + i,
    ),
    "datasets": lambda w: copies(Dataset, Dataset.objects.get(pk=w.ids["dataset"]), MORE),
    "criteria": lambda w: copies(
        Criterion, Criterion.objects.get(pk=w.ids["criterion"]), MORE, code=lambda i: f"C-{i}"
    ),
    "criterion-templates": lambda w: copies(
        CriterionTemplate, CriterionTemplate.objects.first(), MORE, code=lambda i: f"T-{i}"
    ),
    "teams": lambda w: Team.objects.bulk_create(Team(name=f"T{i}") for i in range(MORE)),
    "notifications": lambda w: copies(Notification, Notification.objects.get(), MORE),
}


def count_queries(client: APIClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.django_db
@pytest.mark.parametrize("resource", sorted(LISTS))
def test_list_queries_do_not_grow_with_rows(resource):
    world = build_world()
    client = APIClient()
    client.force_authenticate(world.users["qm"])
    url = f"/api/v1/{resource}/?limit=100"
    few_queries, few_rows = count_queries(client, url)

    LISTS[resource](world)
    many_queries, many_rows = count_queries(client, url)

    assert many_rows >= few_rows + MORE - 1
    assert many_queries == few_queries
