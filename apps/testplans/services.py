"""Test plans: drafts are edited, an approved version is frozen, and editing it makes the
next version, so runs of the old one stay readable."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.audit.services import status_change_record
from apps.criteria.models import Criterion, CriterionKind
from apps.projects.models import DatasetRole, Project
from apps.testplans.models import PlanCheck, PlanStatus, TestPlan
from qualiti.errors import InvalidInput


def _record(plan: TestPlan, *, from_status: str, user: User | None, reason: str = "") -> None:
    status_change_record(
        subject=plan,
        project_id=plan.project_id,
        from_status=from_status,
        to_status=plan.status,
        actor_id=user.pk if user else None,
        reason=reason,
    )


SNAPSHOT_FIELDS = ("code", "category", "metric", "comparator", "threshold", "severity", "blocking")


def criterion_snapshot(criterion: Criterion) -> dict:
    return {field: getattr(criterion, field) for field in SNAPSHOT_FIELDS}


_MANAGE_PLANS = "Only the project's quality manager and admins manage its test plans."


def _manage_check(user: User | None, project_id: int) -> None:
    project_action_check(
        user=user, project_id=project_id, action=Action.CRITERIA_MANAGE, refusal=_MANAGE_PLANS
    )


def _require_draft(plan: TestPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise InvalidInput(
            f"“{plan.name}” v{plan.version} is {plan.status} and cannot change; "
            f"revise it to make version {plan.version + 1} "
            f"(POST /api/v1/test-plans/{plan.pk}/revise/).",
        )


@transaction.atomic
def test_plan_create(*, project: Project, user: User, name: str, description: str = "") -> TestPlan:
    _manage_check(user, project.pk)
    if TestPlan.objects.filter(project=project, name=name).exists():
        raise InvalidInput(
            f"A test plan named “{name}” exists in this project; revise it instead.", field="name"
        )
    plan = TestPlan(project=project, name=name, description=description, created_by=user)
    plan.full_clean()
    plan.save()
    _record(plan, from_status="", user=user)
    return plan


@transaction.atomic
def test_plan_update(
    *, plan: TestPlan, user: User, name: str | None = None, description: str | None = None
) -> TestPlan:
    """Edit a draft in place; editing an approved version makes the next draft version."""
    _manage_check(user, plan.project_id)
    if plan.status == PlanStatus.APPROVED:
        plan = test_plan_revise(plan=plan, user=user)
    _require_draft(plan)
    if name is not None and name != plan.name:
        if plan.version > 1 or plan.next_versions.exists():
            raise InvalidInput("Only a plan's first draft can be renamed.", field="name")
        plan.name = name
    if description is not None:
        plan.description = description
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def test_plan_revise(*, plan: TestPlan, user: User) -> TestPlan:
    """The next draft version of a plan, with a copy of its checks (or the existing draft)."""
    _manage_check(user, plan.project_id)
    existing = TestPlan.objects.filter(
        project_id=plan.project_id, name=plan.name, status=PlanStatus.DRAFT
    ).first()
    if existing is not None:
        return existing
    latest = TestPlan.objects.filter(project_id=plan.project_id, name=plan.name).aggregate(
        Max("version")
    )["version__max"]
    draft = TestPlan.objects.create(
        project_id=plan.project_id,
        name=plan.name,
        version=latest + 1,
        description=plan.description,
        previous=plan,
        created_by=user,
    )
    PlanCheck.objects.bulk_create(
        PlanCheck(
            plan=draft,
            criterion_id=check.criterion_id,
            check_key=check.check_key,
            params=check.params,
            dataset_roles=check.dataset_roles,
            position=check.position,
        )
        for check in plan.checks.all()
    )
    _record(draft, from_status="", user=user, reason=f"revision of v{plan.version}")
    return draft


@transaction.atomic
def test_plan_approve(*, plan: TestPlan, user: User) -> TestPlan:
    """Approve a draft; the previously approved version of the same plan is archived."""
    _manage_check(user, plan.project_id)
    plan = TestPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidInput(f"Only a draft can be approved; v{plan.version} is {plan.status}.")
    if not plan.checks.exists():
        raise InvalidInput("A test plan needs at least one check before approval.")
    for approved in TestPlan.objects.select_for_update().filter(
        project_id=plan.project_id, name=plan.name, status=PlanStatus.APPROVED
    ):
        approved.status = PlanStatus.ARCHIVED
        approved.save(update_fields=["status", "updated_at"])
        _record(
            approved, from_status=PlanStatus.APPROVED, user=user, reason=f"v{plan.version} approved"
        )
    for check in plan.checks.select_related("criterion"):
        check.criterion_snapshot = criterion_snapshot(check.criterion)
        check.save(update_fields=["criterion_snapshot"])
    plan.status = PlanStatus.APPROVED
    plan.approved_by = user
    plan.approved_at = timezone.now()
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    except IntegrityError as error:  # a concurrent approval of another version won
        raise InvalidInput("Another version of this plan was approved at the same time.") from error
    _record(plan, from_status=PlanStatus.DRAFT, user=user)
    return plan


@transaction.atomic
def test_plan_archive(*, plan: TestPlan, user: User, reason: str = "") -> TestPlan:
    _manage_check(user, plan.project_id)
    if plan.status == PlanStatus.ARCHIVED:
        return plan
    from_status = plan.status
    plan.status = PlanStatus.ARCHIVED
    plan.save(update_fields=["status", "updated_at"])
    _record(plan, from_status=from_status, user=user, reason=reason)
    return plan


def _validated_roles(dataset_roles: list[str] | None) -> list[str]:
    roles = list(dataset_roles or [DatasetRole.EVALUATION])
    unknown = [role for role in roles if role not in DatasetRole.values]
    if unknown:
        allowed = ", ".join(DatasetRole.values)
        raise InvalidInput(
            f"Unknown dataset role {unknown[0]!r}; use {allowed}.", field="dataset_roles"
        )
    return roles


@transaction.atomic
def plan_check_add(
    *,
    plan: TestPlan,
    user: User | None,
    criterion: Criterion,
    check_key: str = "",
    params: dict | None = None,
    dataset_roles: list[str] | None = None,
) -> PlanCheck:
    _manage_check(user, plan.project_id)
    _require_draft(plan)
    if criterion.project_id != plan.project_id:
        raise InvalidInput("The criterion belongs to another project.", field="criterion")
    if criterion.kind == CriterionKind.PROCESS:
        raise InvalidInput(
            f"{criterion.code} is a process criterion: a person answers it and the quality "
            "manager accepts the answer, so no check of a run measures it and it cannot be "
            "a plan check.",
            field="criterion",
        )
    if params is not None and not isinstance(params, dict):
        raise InvalidInput("params must be a JSON object.", field="params")
    position = (plan.checks.aggregate(Max("position"))["position__max"] or 0) + 1
    check = PlanCheck(
        plan=plan,
        criterion=criterion,
        check_key=check_key or criterion.check_key,
        params={**criterion.params, **(params or {})},
        dataset_roles=_validated_roles(dataset_roles),
        position=position,
    )
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def plan_check_update(
    *,
    check: PlanCheck,
    user: User | None,
    params: dict | None = None,
    dataset_roles: list[str] | None = None,
) -> PlanCheck:
    _manage_check(user, check.plan.project_id)
    _require_draft(check.plan)
    if params is not None:
        if not isinstance(params, dict):
            raise InvalidInput("params must be a JSON object.", field="params")
        check.params = params
    if dataset_roles is not None:
        check.dataset_roles = _validated_roles(dataset_roles)
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def plan_check_remove(*, check: PlanCheck, user: User | None) -> None:
    _manage_check(user, check.plan.project_id)
    _require_draft(check.plan)
    check.delete()
