"""The portfolio: each visible project's status, latest verdict and open findings."""

import datetime
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.models import User
from apps.criteria.models import Severity
from apps.dashboards.selectors.readiness import (
    NextStep,
    ReadinessStep,
    missing_steps,
    readiness_annotations,
)
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import CLOSED_FINDING_STATUSES, ActionStatus, CorrectiveAction
from apps.projects.models import Project
from apps.projects.selectors import project_list_visible

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SEVERITIES = [value for value, _ in Severity.choices]
# Grey: nothing evaluated yet, so nothing to be green about (see selectors.readiness).
STATUS_LABELS = {
    "red": "At risk",
    "amber": "Attention",
    "grey": "Not evaluated yet",
    "green": "On track",
}
LEVEL_ORDER = {level: index for index, level in enumerate(STATUS_LABELS)}
_OPEN = ~Q(findings__status__in=CLOSED_FINDING_STATUSES)
_OPEN_ACTION = ~Q(status__in=(ActionStatus.DONE, ActionStatus.REJECTED))


class StatusAnnotations(TypedDict):
    """What `projects_with_status` adds to each project, besides `open_<severity>`."""

    overdue_findings: int
    overdue_critical: int
    latest_run_id: int | None
    latest_verdict: str | None
    latest_summary: Any
    latest_finished_at: datetime.datetime | None
    has_criteria: bool
    has_approved_plan: bool
    has_model_version: bool
    has_evaluation_data: bool
    has_working_run: bool
    has_run: bool


if TYPE_CHECKING:
    ProjectWithStatus = WithAnnotations[Project, StatusAnnotations]


@dataclass
class ProjectStatus:
    """One project as management sees it; `level` is red, amber, grey (not evaluated
    yet: `missing` says what it lacks) or green."""

    project: Project
    level: str
    reasons: list[str] = field(default_factory=list)
    missing: list[ReadinessStep] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)  # set by a page, for its user
    open_by_severity: dict[str, int] = field(default_factory=dict)
    overdue_findings: int = 0
    overdue_actions: int = 0

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.level]

    @property
    def evaluated(self) -> bool:
        return not self.missing

    @property
    def next_action(self) -> NextStep | None:
        """The first missing step the page's user may do themselves, if any."""
        return next((step for step in self.next_steps if step.url), None)

    @property
    def open_findings(self) -> int:
        return sum(self.open_by_severity.values())


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def status_level(
    *,
    blocking_failures: int,
    overdue_critical: int,
    open_by_severity: dict[str, int],
    overdue_findings: int,
    overdue_actions: int,
    not_evaluated: list[str] | None = None,  # what is missing; empty once evaluated
) -> tuple[str, list[str]]:
    """Red: a blocking criterion failing on the latest evaluated version, or an overdue
    critical finding. Amber: open high or medium findings, or anything overdue. Grey
    when nothing was evaluated yet (`not_evaluated` names what is missing): such a
    project is never green, though findings raised by hand still make it red or amber.
    Green otherwise. The reasons say why, in words."""
    red, amber = [], []
    missing = "missing " + ", ".join(not_evaluated) if not_evaluated else ""
    if blocking_failures:
        red.append(f"{_count(blocking_failures, 'blocking check')} failing on the latest run")
    if overdue_critical:
        red.append(_count(overdue_critical, "overdue critical finding"))
    for severity in ("high", "medium"):
        if open_by_severity.get(severity):
            amber.append(_count(open_by_severity[severity], f"open {severity} finding"))
    if overdue_findings - overdue_critical > 0:
        amber.append(_count(overdue_findings - overdue_critical, "overdue finding"))
    if overdue_actions:
        amber.append(_count(overdue_actions, "overdue corrective action"))
    # Beside red or amber, the reasons say the project is not evaluated; grey says it.
    unknown = [f"not evaluated yet: {missing}"] if missing else []
    if red:
        return "red", red + amber + unknown
    if amber:
        return "amber", amber + unknown
    if missing:
        return "grey", [missing]
    return "green", []


def _latest_finished_run() -> QuerySet[EvaluationRun]:
    return EvaluationRun.objects.filter(
        project=OuterRef("pk"), status=RunStatus.SUCCEEDED
    ).order_by("-finished_at", "-id")


def projects_with_status(
    *, user: User, today: datetime.date | None = None
) -> "QuerySet[ProjectWithStatus]":
    """Visible projects annotated with everything their status needs, in one query."""
    today = today or timezone.localdate()
    overdue = _OPEN & Q(findings__due_date__lt=today)
    latest = _latest_finished_run()
    counts = {
        f"open_{severity}": Count("findings", filter=_OPEN & Q(findings__severity=severity))
        for severity in SEVERITIES
    }
    projects = project_list_visible(user=user).annotate(
        **counts,
        **readiness_annotations(),
        overdue_findings=Count("findings", filter=overdue),
        overdue_critical=Count("findings", filter=overdue & Q(findings__severity="critical")),
        latest_run_id=Subquery(latest.values("id")[:1]),
        latest_verdict=Subquery(latest.values("verdict")[:1]),
        latest_summary=Subquery(latest.values("summary")[:1]),
        latest_finished_at=Subquery(latest.values("finished_at")[:1]),
    )
    # The django-stubs plugin cannot type an annotate() given **kwargs.
    return cast("QuerySet[ProjectWithStatus]", projects)


def _blocking_failures(summary) -> int:
    # The JSON comes back decoded on PostgreSQL and as text on SQLite through a Subquery.
    if isinstance(summary, str):
        summary = json.loads(summary or "{}")
    return int((summary or {}).get("blocking_failures") or 0)


def overdue_actions_per_project(
    project_ids: list[int], *, today: datetime.date | None = None
) -> dict[int, int]:
    """Open corrective actions past their due date, per project, in one grouped query (as
    a correlated subquery of `projects_with_status`, PostgreSQL scanned every action once
    per project: 33 of the portfolio's 52 ms on the large seed)."""
    today = today or timezone.localdate()
    rows = (
        CorrectiveAction.objects.filter(finding__project_id__in=project_ids, due_date__lt=today)
        .filter(_OPEN_ACTION)
        .order_by()
        .values_list("finding__project_id")
        .annotate(count=Count("id"))
    )
    return dict(rows)


def project_status(project: "ProjectWithStatus", *, overdue_actions: int = 0) -> ProjectStatus:
    """The status of a project annotated by `projects_with_status`, given its number of
    overdue corrective actions (`overdue_actions_per_project`)."""
    open_by_severity = {s: getattr(project, f"open_{s}") for s in SEVERITIES}
    missing = missing_steps(project)
    level, reasons = status_level(
        blocking_failures=_blocking_failures(project.latest_summary),
        overdue_critical=project.overdue_critical,
        open_by_severity=open_by_severity,
        overdue_findings=project.overdue_findings,
        overdue_actions=overdue_actions,
        not_evaluated=[step.missing for step in missing],
    )
    return ProjectStatus(
        project=project,
        level=level,
        reasons=reasons,
        missing=missing,
        open_by_severity=open_by_severity,
        overdue_findings=project.overdue_findings,
        overdue_actions=overdue_actions,
    )


def portfolio_statuses(
    *,
    user: User,
    search: str = "",
    level: str = "",
    risk_level: str = "",
    team_id: int | None = None,
) -> list[ProjectStatus]:
    """The portfolio's rows, filtered; red first, then amber, then not evaluated, then
    green, by name."""
    projects = projects_with_status(user=user)
    if search:
        projects = projects.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if risk_level:
        projects = projects.filter(risk_level=risk_level)
    if team_id:
        projects = projects.filter(development_team_id=team_id)
    fetched = list(projects)
    overdue_actions = overdue_actions_per_project([project.pk for project in fetched])
    rows = [
        project_status(project, overdue_actions=overdue_actions.get(project.pk, 0))
        for project in fetched
    ]
    if level:
        rows = [row for row in rows if row.level == level]
    return sorted(rows, key=lambda row: (LEVEL_ORDER[row.level], row.project.name.lower()))
