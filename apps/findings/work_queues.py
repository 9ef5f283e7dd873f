"""Reads of "My work": one queue per role, and how many items wait in them (the top bar's
count). Each queue is scoped to the projects where the user holds the role it serves:

- developer: open findings assigned to them or their teams, and their actions
  (selectors.my_work_findings / my_work_actions), the actions they own on other findings
  counted too;
- quality manager (projects where their membership says so): fixes waiting for
  verification, answers to process criteria waiting for a decision, findings without an
  assignee, risk acceptances to request (overdue high or
  critical findings nobody has submitted a fix for) or expiring soon, runs that failed;
- management (and admins, who approve too): risk acceptances waiting for a decision,
  overdue critical findings across projects.

`work_waiting_counts` counts every queue in one query, so the top bar costs one query.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Membership, OrgRole, ProjectRole, User
from apps.accounts.permissions import scope_to_visible_projects
from apps.audit.models import HistoryKind, StatusChange
from apps.criteria.models import Attestation, AttestationStatus, Severity
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import (
    CLOSED_FINDING_STATUSES,
    CorrectiveAction,
    Finding,
    FindingStatus,
    RiskAcceptance,
    RiskAcceptanceState,
)
from apps.findings.selectors import my_work_actions, my_work_findings, overdue_condition

EXPIRING_WITHIN_DAYS = 14
FAILED_RUNS_WITHIN_DAYS = 30
# A finding whose risk may have to be accepted: this severe, overdue, and no fix submitted.
RISK_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)
WORKING_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)


def quality_managed_project_ids(*, user: User) -> QuerySet:
    """Ids of the projects where the user is the quality manager (by membership)."""
    return Membership.objects.filter(user=user, role=ProjectRole.QUALITY_MANAGER).values(
        "project_id"
    )


def decides_risk(*, user: User) -> bool:
    """Management and admins decide on risk acceptances, across every project."""
    return user.is_org_admin or user.org_role == OrgRole.MANAGEMENT


def _pending_risk() -> Exists:
    return Exists(
        RiskAcceptance.objects.filter(finding=OuterRef("pk"), state=RiskAcceptanceState.PENDING)
    )


def _queue_rows() -> QuerySet[Finding]:
    """Findings as the queues show them: their project and assignee joined, nothing more.
    Each further join adds to PostgreSQL's planning, which (at 55 to 70 ms a query, against
    10 of execution) made most of the quality manager's page time on the large seed."""
    return Finding.objects.select_related("project", "assignee")


def _managed(user: User) -> QuerySet[Finding]:
    # A quality manager's membership makes the project visible: no further scope needed.
    return _queue_rows().filter(project__in=quality_managed_project_ids(user=user))


def developer_waiting(*, user: User) -> QuerySet[Finding]:
    """The developer's findings that wait on them: open or in progress (a submitted fix
    waits on the quality manager)."""
    return my_work_findings(user=user).filter(status__in=WORKING_STATUSES)


def actions_on_other_findings(*, user: User) -> QuerySet[CorrectiveAction]:
    """Open corrective actions the user owns on findings outside their own queue (another
    team's finding): they wait on the user too, and no finding of theirs counts them."""
    theirs = my_work_findings(user=user).values("pk")
    return my_work_actions(user=user).filter(owner=user).exclude(finding__in=theirs)


def fixes_to_verify(*, user: User) -> QuerySet[Finding]:
    """Findings of the user's projects with a fix submitted, each with the submitter's note
    (`fix_note`, `fix_by`, `fix_at`), longest waiting first."""
    submitted = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Finding),
        object_id=OuterRef("pk"),
        kind=HistoryKind.STATUS,
        to_status=FindingStatus.FIX_SUBMITTED,
    ).order_by("-created_at", "-id")
    return (
        _managed(user)
        .filter(status=FindingStatus.FIX_SUBMITTED)
        .annotate(
            fix_note=Subquery(submitted.values("reason")[:1]),
            fix_by=Subquery(submitted.values("actor__username")[:1]),
            fix_at=Subquery(submitted.values("created_at")[:1]),
        )
        .order_by(F("fix_at").asc(nulls_last=True), "id")
    )


def findings_unassigned(*, user: User) -> QuerySet[Finding]:
    """Open findings of the user's projects that nobody is assigned to, soonest due first."""
    return (
        _managed(user)
        .filter(assignee__isnull=True)
        .exclude(status__in=CLOSED_FINDING_STATUSES)
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def risk_to_request(*, user: User) -> QuerySet[Finding]:
    """Overdue critical or high findings with no fix submitted and no request pending: fix
    them, or ask management to accept their risk until a date."""
    return (
        _managed(user)
        .filter(overdue_condition(), status__in=WORKING_STATUSES, severity__in=RISK_SEVERITIES)
        .exclude(_pending_risk())
        .order_by("due_date", "id")
    )


def _expiry_limit() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)


def risk_expiring(*, user: User) -> QuerySet[Finding]:
    """Accepted risks of the user's projects that end within two weeks (the finding then
    reopens), soonest first."""
    return (
        _managed(user)
        .filter(status=FindingStatus.RISK_ACCEPTED, risk_expires_on__lte=_expiry_limit())
        .order_by("risk_expires_on", "id")
    )


def answers_to_decide(*, user: User) -> QuerySet[Attestation]:
    """Answers to process criteria of the user's projects waiting for the quality
    manager's decision (accept or send back), longest waiting first."""
    return (
        Attestation.objects.filter(
            status=AttestationStatus.SUBMITTED,
            criterion__project__in=quality_managed_project_ids(user=user),
        )
        .select_related("criterion__project", "submitted_by")
        .order_by("submitted_at", "id")
    )


def _failed_since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=FAILED_RUNS_WITHIN_DAYS)


def runs_failed(*, user: User) -> QuerySet[EvaluationRun]:
    """Runs of the user's projects that failed (could not finish) in the last 30 days."""
    return (
        EvaluationRun.objects.filter(
            project__in=quality_managed_project_ids(user=user),
            status=RunStatus.FAILED,
            created_at__gte=_failed_since(),
        )
        .select_related("project", "model_version", "test_plan")
        .order_by("-created_at", "-id")
    )


def risk_decisions(*, user: User) -> QuerySet[RiskAcceptance]:
    """Risk acceptances waiting for the user's decision, oldest request first."""
    if not decides_risk(user=user):
        return RiskAcceptance.objects.none()
    return (
        RiskAcceptance.objects.filter(state=RiskAcceptanceState.PENDING)
        .select_related("finding", "finding__project", "requested_by")
        .order_by("created_at", "id")
    )


def overdue_critical(*, user: User) -> QuerySet[Finding]:
    """Critical findings past their due date, across the projects: management's watch."""
    if not decides_risk(user=user):
        return Finding.objects.none()
    return (
        scope_to_visible_projects(_queue_rows(), user=user)
        .filter(overdue_condition(), severity=Severity.CRITICAL)
        .order_by("due_date", "id")
    )


def _count(queryset: QuerySet) -> Coalesce:
    """The number of rows of `queryset`, as a scalar subquery (0 when there are none)."""
    counted = (
        queryset.order_by()
        .annotate(one=Value(1, output_field=IntegerField()))
        .values("one")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


QUEUE_NAMES = (
    "developer",
    "actions",
    "verify",
    "answers",
    "unassigned",
    "risk_request",
    "risk_expiring",
    "runs_failed",
    "risk_decisions",
    "overdue_critical",
)


def work_waiting_counts(*, user: User) -> dict[str, int]:
    """How many items wait in each of the user's queues (and `total`), in one query."""
    queues: dict[str, QuerySet] = {
        "developer": developer_waiting(user=user),
        "actions": actions_on_other_findings(user=user),
        "verify": fixes_to_verify(user=user),
        "answers": answers_to_decide(user=user),
        "unassigned": findings_unassigned(user=user),
        "risk_request": risk_to_request(user=user),
        "risk_expiring": risk_expiring(user=user),
        "runs_failed": runs_failed(user=user),
        "risk_decisions": risk_decisions(user=user),
        "overdue_critical": overdue_critical(user=user),
    }
    asked = {name: queryset for name, queryset in queues.items() if not _is_none(queryset)}
    counts = dict.fromkeys(QUEUE_NAMES, 0)
    if asked:
        row = (
            User.objects.filter(pk=user.pk)
            .annotate(**{f"n_{name}": _count(queryset) for name, queryset in asked.items()})
            .values(*(f"n_{name}" for name in asked))
            .get()
        )
        counts.update({name: row[f"n_{name}"] for name in asked})
    counts["total"] = sum(counts[name] for name in QUEUE_NAMES)
    return counts


def _is_none(queryset: QuerySet) -> bool:
    """A queryset made with .none(): nothing to ask the database."""
    return queryset.query.is_empty()
