from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.accounts.permissions import (
    Action,
    scope_to_visible_projects,
    user_can,
    visible_project_ids,
)
from apps.audit.models import StatusChange
from apps.evaluations.models import CheckResult, EvaluationRun, Outcome
from apps.findings.models import (
    CLOSED_FINDING_STATUSES,
    ActionStatus,
    Comment,
    CorrectiveAction,
    Finding,
)
from apps.findings.services.sync import finding_fingerprint
from apps.projects.models import Project

CLOSED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.REJECTED)


def overdue_condition() -> Q:
    """Still open and past its due date."""
    return Q(due_date__lt=timezone.localdate()) & ~Q(status__in=CLOSED_FINDING_STATUSES)


def finding_list(*, user: User | AnonymousUser) -> QuerySet[Finding]:
    """The findings of the projects the user sees (none for the schema generator's
    anonymous request)."""
    findings = Finding.objects.select_related(
        "project", "assigned_team", "assignee", "criterion", "first_seen_run", "last_seen_run"
    )
    return scope_to_visible_projects(findings, user=user)


def corrective_action_list(*, user: User | AnonymousUser) -> QuerySet[CorrectiveAction]:
    actions = CorrectiveAction.objects.select_related("finding", "finding__project", "owner")
    return scope_to_visible_projects(actions, user=user, project_field="finding__project")


def comment_list(*, user: User | AnonymousUser) -> QuerySet[Comment]:
    comments = Comment.objects.select_related("finding", "author")
    return scope_to_visible_projects(comments, user=user, project_field="finding__project")


def finding_visible_or_404(*, user: User, pk: int) -> Finding:
    """The finding for a page, or 404 when it does not exist or its project is hidden."""
    findings = finding_list(user=user).select_related("project__development_team")
    return get_object_or_404(findings, pk=pk)


def finding_evidence_result(*, finding: Finding) -> CheckResult | None:
    """The check result behind the finding in the run that last saw it, if any."""
    if finding.last_seen_run_id is None or not finding.check_key:
        return None
    return (
        CheckResult.objects.select_related("criterion")
        .filter(
            run_id=finding.last_seen_run_id,
            check_key=finding.check_key,
            subject=finding.subject,
        )
        # Several plan checks may judge the same subject: the failing one explains most.
        .order_by(Case(When(outcome="fail", then=0), default=1), "id")
        .first()
    )


def finding_history(*, finding: Finding) -> QuerySet[StatusChange]:
    """The finding's status changes, oldest first."""
    return StatusChange.objects.select_related("actor", "run").filter(
        content_type=ContentType.objects.get_for_model(Finding), object_id=finding.pk
    )


def user_team_ids(*, user: User) -> set[int]:
    return set(user.teams.values_list("pk", flat=True))


def findings_user_may_collaborate(*, user: User, findings: Iterable[Finding]) -> set[int]:
    """Ids of the findings the user may progress and comment on, in a fixed number of
    queries: the per-finding rule of services.findings.finding_may_collaborate, for a
    whole page of rows (each needs `project` loaded)."""
    team_ids = user_team_ids(user=user)
    allowed = set()
    for finding in findings:
        project_id = finding.project_id
        if user_can(user=user, project_id=project_id, action=Action.FINDING_TRIAGE):
            allowed.add(finding.pk)
            continue
        team_id = finding.assigned_team_id or finding.project.development_team_id
        if team_id in team_ids and user_can(
            user=user, project_id=project_id, action=Action.COLLABORATE
        ):
            allowed.add(finding.pk)
    return allowed


def my_work_findings(*, user: User) -> QuerySet[Finding]:
    """Open findings assigned to the user or to one of their teams, soonest due first."""
    team_ids = user.teams.values("pk")
    mine = (
        Q(assignee=user)
        | Q(assigned_team__in=team_ids)
        | Q(assigned_team__isnull=True, project__development_team__in=team_ids)
    )
    # Only the project joined: the queue shows nothing else, and each join of finding_list
    # adds to PostgreSQL's planning time (see work_queues._queue_rows).
    findings = Finding.objects.select_related("project")
    return (
        scope_to_visible_projects(findings, user=user)
        .filter(mine)
        .exclude(status__in=CLOSED_FINDING_STATUSES)
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def my_work_actions(*, user: User) -> QuerySet[CorrectiveAction]:
    """Open corrective actions owned by the user or belonging to their open findings."""
    return (
        corrective_action_list(user=user)
        .filter(Q(owner=user) | Q(finding__in=my_work_findings(user=user).values("pk")))
        .exclude(status__in=CLOSED_ACTION_STATUSES)
        .exclude(finding__status__in=CLOSED_FINDING_STATUSES)
        .select_related("finding__assigned_team", "finding__project__development_team")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def team_list_visible(*, user: User) -> QuerySet[Team]:
    """Teams working on the projects the user sees (every team for who sees everything)."""
    if user.sees_every_project:
        return Team.objects.all()
    visible = visible_project_ids(user=user)
    # Semi-joins (IN subqueries) rather than joins and DISTINCT: joining every finding of
    # the visible projects to dedupe a handful of teams took tens of ms on the large seed.
    return Team.objects.filter(
        Q(pk__in=Project.objects.filter(pk__in=visible).values("development_team"))
        | Q(pk__in=Finding.objects.filter(project__in=visible).values("assigned_team"))
        | Q(pk__in=Team.members.through.objects.filter(user=user).values("team"))
    )


def assignable_users(*, user: User) -> QuerySet[User]:
    """Who a finding of the projects the user sees may be assigned to: their members and
    the members of their development teams (services.assignees decides per finding)."""
    visible = visible_project_ids(user=user)
    memberships = Membership.objects.exclude(role=ProjectRole.VIEWER)
    projects = Project.objects.all()
    if visible is not None:
        memberships = memberships.filter(project__in=visible)
        projects = projects.filter(pk__in=visible)
    team_members = Team.members.through.objects.filter(team__in=projects.values("development_team"))
    return User.objects.filter(
        Q(pk__in=memberships.values("user_id")) | Q(pk__in=team_members.values("user_id")),
        is_active=True,
    ).order_by("username")


def findings_of_failed_results(
    *, run: EvaluationRun, results: Iterable[CheckResult]
) -> dict[int, Finding]:
    """The finding of each failed result of the run (the one with the result's
    fingerprint), by result id, in one query. A failure without a finding (the findings
    sync has not seen it) is absent."""
    wanted = {
        result.pk: finding_fingerprint(
            project_id=run.project_id,
            criterion_id=result.criterion_id,
            check_key=result.check_key,
            subject=result.subject,
        )
        for result in results
        if result.outcome == Outcome.FAIL
    }
    if not wanted:
        return {}
    found = {
        finding.fingerprint: finding
        for finding in Finding.objects.filter(
            project_id=run.project_id, fingerprint__in=set(wanted.values())
        )
    }
    return {pk: found[print_] for pk, print_ in wanted.items() if print_ in found}


def finding_runs(*, finding: Finding, limit: int = 20) -> list[EvaluationRun]:
    """The runs that judged the finding's check on its subject (results carrying its
    fingerprint) since the run that opened it, newest first, at most `limit`, in one
    query. Each has `failures`: how many of its results for the finding failed (0: the
    check passed in that run). A finding opened by hand has none."""
    if not finding.check_key:
        return []
    judged = Q(
        results__check_key=finding.check_key,
        results__subject=finding.subject,
        results__outcome__in=(Outcome.PASS, Outcome.FAIL),
    )
    if finding.criterion_id is None:
        judged &= Q(results__criterion__isnull=True)
    else:
        judged &= Q(results__criterion_id=finding.criterion_id)
    runs = EvaluationRun.objects.filter(judged, project_id=finding.project_id)
    if finding.first_seen_run is not None:
        runs = runs.filter(created_at__gte=finding.first_seen_run.created_at)
    # The filter comes before the count, so the count reads the same joined results.
    runs = runs.annotate(failures=Count("results", filter=Q(results__outcome=Outcome.FAIL)))
    return list(
        runs.select_related("model_version", "test_plan").order_by("-created_at", "-id")[:limit]
    )
