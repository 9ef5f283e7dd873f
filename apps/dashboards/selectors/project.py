"""One project's overview: its status, versions with verdicts, metric trends across
versions, findings summary, team and recent runs."""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, OuterRef, Q, Subquery

from apps.accounts.models import Membership, User
from apps.dashboards.selectors.portfolio import (
    ProjectStatus,
    overdue_actions_per_project,
    project_status,
    projects_with_status,
)
from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.findings.models import CLOSED_FINDING_STATUSES, Finding
from apps.projects.models import ModelVersion, Project

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class VerdictAnnotations(TypedDict):
    """What `model_versions_with_verdicts` adds to each model version."""

    latest_run_id: int | None
    latest_verdict: str | None
    latest_finished_at: datetime.datetime | None
    run_count: int


if TYPE_CHECKING:
    VersionWithVerdict = WithAnnotations[ModelVersion, VerdictAnnotations]


@dataclass
class MetricTrend:
    """One criterion metric across model versions, with the threshold it is judged by."""

    code: str
    name: str
    metric: str
    comparator: str
    threshold: float | None
    points: list[tuple[str, float, str]] = field(default_factory=list)  # version, value, outcome


def project_overview_status(*, user: User, project: Project) -> ProjectStatus:
    overdue_actions = overdue_actions_per_project([project.pk]).get(project.pk, 0)
    return project_status(
        projects_with_status(user=user).get(pk=project.pk), overdue_actions=overdue_actions
    )


def model_versions_with_verdicts(*, project: Project) -> list["VersionWithVerdict"]:
    """Every model version, oldest first, with its latest finished run's id and verdict."""
    latest = EvaluationRun.objects.filter(
        model_version=OuterRef("pk"), status=RunStatus.SUCCEEDED
    ).order_by("-finished_at", "-id")
    return list(
        project.model_versions.select_related("uploaded_by")
        .annotate(
            latest_run_id=Subquery(latest.values("id")[:1]),
            latest_verdict=Subquery(latest.values("verdict")[:1]),
            latest_finished_at=Subquery(latest.values("finished_at")[:1]),
            run_count=Count("runs"),
        )
        .order_by("sequence")
    )


def _value(observed: Any, metric: str) -> float | None:
    if isinstance(observed, dict):
        observed = observed.get(metric)
    if isinstance(observed, bool) or not isinstance(observed, (int, float)):
        return None
    return float(observed)


def _worse(comparator: str, first: float, second: float) -> float:
    """The value further on the failing side: the smaller one when higher must pass."""
    return min(first, second) if comparator.startswith(">") else max(first, second)


def metric_trends(*, versions: list["VersionWithVerdict"]) -> list[MetricTrend]:
    """Each criterion metric on each version's latest run, one query. A criterion judged
    per subject (a column, a group) shows its worst subject, failing if any subject fails."""
    label_of_run = {v.latest_run_id: f"v{v.sequence}" for v in versions if v.latest_run_id}
    results = (
        CheckResult.objects.filter(run_id__in=list(label_of_run), criterion__isnull=False)
        .exclude(metric="")
        .select_related("criterion")
        .order_by("criterion__code", "run__model_version__sequence", "subject")
    )
    trends: dict[tuple[str, str], MetricTrend] = {}
    # version, value and outcome per trend and run, in the order the runs come
    worst: dict[tuple[str, str, int], list[Any]] = {}
    for result in results:
        value = _value(result.observed, result.metric)
        criterion = result.criterion  # never None: the query asks for one
        if value is None or criterion is None:
            continue
        key = (criterion.code, result.metric)
        trend = trends.setdefault(
            key,
            MetricTrend(
                code=criterion.code,
                name=criterion.name,
                metric=result.metric,
                comparator=result.comparator or criterion.comparator,
                threshold=result.threshold,
            ),
        )
        trend.threshold = result.threshold  # the latest run's threshold is the one in force
        point = worst.get((*key, result.run_id))
        if point is None:
            point = [label_of_run[result.run_id], value, result.outcome]
            worst[(*key, result.run_id)] = point
        point[1] = _worse(trend.comparator, point[1], value)
        if result.outcome == "fail":
            point[2] = "fail"
    for (code, metric, _), (label, value, outcome) in worst.items():
        trends[(code, metric)].points.append((label, value, outcome))
    return list(trends.values())


def findings_summary(*, project: Project) -> dict[str, int]:
    closed = Q(status__in=CLOSED_FINDING_STATUSES)
    return Finding.objects.filter(project=project).aggregate(
        open=Count("id", filter=~closed), closed=Count("id", filter=closed), total=Count("id")
    )


def project_team(*, project: Project) -> list[Membership]:
    return list(
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "user__username")
    )


def recent_runs(*, project: Project, limit: int = 10) -> list[EvaluationRun]:
    return list(
        project.runs.select_related("model_version", "test_plan", "created_by").order_by(
            "-created_at", "-id"
        )[:limit]
    )
