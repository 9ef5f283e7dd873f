"""What a project or portfolio report says about a period: runs and their verdicts, the
pass-rate and open-findings trends, findings opened, closed and overdue by severity, mean
time to remediate, SLA compliance, and risk acceptances granted and expiring.

A fixed number of aggregate queries whatever the number of projects, runs and findings;
the lists a report prints are capped. The trends, time to remediate and SLA compliance are
the management dashboard's own selectors (apps.dashboards.selectors.management), given the
period's findings and runs."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.models import User
from apps.dashboards.selectors import management
from apps.dashboards.selectors.portfolio import SEVERITIES
from apps.evaluations.models import EvaluationRun, RunStatus, Verdict
from apps.findings.models import Finding, RiskAcceptance, RiskAcceptanceState
from apps.projects.models import Project
from apps.projects.selectors import project_list_visible

DEFAULT_DAYS = 30
RUNS_LISTED = 100
RISKS_LISTED = 50
PROJECTS_LISTED = 500
# A risk acceptance "expiring" runs out within the period or this long after its end.
EXPIRING_WITHIN = datetime.timedelta(days=30)
RUN_OUTCOMES = {
    "pass": "Pass",
    "pass_with_warnings": "Pass with warnings",
    "fail": "Fail",
    "failed": "Run failed",
    "cancelled": "Cancelled",
    "unfinished": "Queued or running",
}


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in the server's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def last_days(cls, days: int = DEFAULT_DAYS, *, end: datetime.date | None = None) -> "Period":
        """The `days` days ending on `end` (today by default)."""
        end = end or timezone.localdate()
        return cls(start=end - datetime.timedelta(days=days - 1), end=end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as [begin, end) instants."""
        tz = timezone.get_current_timezone()
        begin = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = self.end + datetime.timedelta(days=1)
        return begin, datetime.datetime.combine(after, datetime.time.min, tzinfo=tz)

    def weeks(self) -> list[datetime.date]:
        """The Mondays of the weeks the period touches, oldest first."""
        first = self.start - datetime.timedelta(days=self.start.weekday())
        count = (self.end - first).days // 7 + 1
        return [first + datetime.timedelta(weeks=index) for index in range(count)]

    def __str__(self) -> str:
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"


@dataclass
class PeriodData:
    """The numbers of one period over a set of findings and runs."""

    period: Period
    run_outcomes: dict[str, int]
    runs: list[EvaluationRun]  # the latest RUNS_LISTED of the period
    weeks: list[datetime.date]
    pass_rate: list[float | None]
    per_week: dict[str, list[int]]  # opened, closed, open (at each week's end)
    by_severity: dict[str, dict[str, int]]  # opened / closed / overdue -> severity -> count
    mttr_days: dict[str, float | None]
    sla: management.SlaCompliance
    risk_granted: list[RiskAcceptance]
    risk_granted_count: int
    risk_expiring: list[RiskAcceptance]
    risk_expiring_count: int
    projects: list["ProjectRow"] = field(default_factory=list)  # the portfolio's only

    @property
    def runs_total(self) -> int:
        return sum(self.run_outcomes.values())

    @property
    def run_outcome_words(self) -> str:
        """ "1 pass, 2 fail, 1 run failed": the outcomes that happened."""
        return ", ".join(
            f"{count} {RUN_OUTCOMES[outcome].lower()}"
            for outcome, count in self.run_outcomes.items()
            if count
        )

    @property
    def totals(self) -> dict[str, int]:
        return {kind: sum(counts.values()) for kind, counts in self.by_severity.items()}

    def severity_rows(self) -> list[dict[str, Any]]:
        """One row per severity: opened, closed, overdue and mean days to remediate."""
        return [
            {
                "severity": severity,
                **{kind: counts[severity] for kind, counts in self.by_severity.items()},
                "mttr": self.mttr_days.get(severity),
            }
            for severity in SEVERITIES
        ]


@dataclass
class ProjectRow:
    """One project in a portfolio report."""

    project: Project
    latest_verdict: str
    runs: int
    failing_runs: int
    opened: int
    closed: int
    open_at_end: int
    overdue: int

    @property
    def latest_verdict_label(self) -> str:
        return Verdict(self.latest_verdict).label if self.latest_verdict else ""


def run_outcomes(runs: QuerySet[EvaluationRun]) -> dict[str, int]:
    """The period's runs by what came of them (a succeeded run by its verdict)."""
    succeeded = Q(status=RunStatus.SUCCEEDED)
    counts = runs.order_by().aggregate(
        **{verdict: Count("id", filter=succeeded & Q(verdict=verdict)) for verdict in Verdict},
        failed=Count("id", filter=Q(status=RunStatus.FAILED)),
        cancelled=Count("id", filter=Q(status=RunStatus.CANCELLED)),
        unfinished=Count("id", filter=Q(status__in=(RunStatus.QUEUED, RunStatus.RUNNING))),
    )
    return {outcome: counts[outcome] for outcome in RUN_OUTCOMES}


def _open_at(end: datetime.datetime) -> Q:
    return Q(created_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))


def findings_by_severity(findings: QuerySet[Finding], *, period: Period) -> dict[str, dict]:
    """Findings opened and closed in the period, and those open and past due at its end,
    each by severity. A reopened finding has no closing date: it counts as open."""
    begin, end = period.bounds
    conditions = {
        "opened": Q(created_at__gte=begin, created_at__lt=end),
        "closed": Q(closed_at__gte=begin, closed_at__lt=end),
        "overdue": _open_at(end) & Q(due_date__lt=period.end),
    }
    counts = findings.order_by().aggregate(
        **{
            f"{kind}_{severity}": Count("id", filter=condition & Q(severity=severity))
            for kind, condition in conditions.items()
            for severity in SEVERITIES
        }
    )
    return {
        kind: {severity: counts[f"{kind}_{severity}"] for severity in SEVERITIES}
        for kind in conditions
    }


def risk_acceptances(
    acceptances: QuerySet[RiskAcceptance], *, period: Period
) -> tuple[QuerySet[RiskAcceptance], QuerySet[RiskAcceptance]]:
    """Those granted in the period, and those granted (at any time) that run out within
    the period or in the EXPIRING_WITHIN after it; soonest first."""
    begin, end = period.bounds
    granted_states = (RiskAcceptanceState.APPROVED, RiskAcceptanceState.EXPIRED)
    acceptances = acceptances.filter(state__in=granted_states).select_related(
        "finding__project", "requested_by", "decided_by"
    )
    granted = acceptances.filter(decided_at__gte=begin, decided_at__lt=end).order_by(
        "decided_at", "id"
    )
    expiring = acceptances.filter(
        expires_on__gte=period.start, expires_on__lte=period.end + EXPIRING_WITHIN
    ).order_by("expires_on", "id")
    return granted, expiring


def _period_data(
    *,
    period: Period,
    findings: QuerySet[Finding],
    runs: QuerySet[EvaluationRun],
    acceptances: QuerySet[RiskAcceptance],
) -> PeriodData:
    begin, end = period.bounds
    in_period = runs.filter(created_at__gte=begin, created_at__lt=end)
    weeks = period.weeks()
    closed_in_period = findings.filter(closed_at__gte=begin, closed_at__lt=end)
    # SLA: findings closed in the period, judged by their closing date, and those still
    # open, judged overdue or not at the period's end.
    judged = findings.filter(
        Q(closed_at__gte=begin, closed_at__lt=end) | Q(closed_at__isnull=True, created_at__lt=end)
    )
    granted, expiring = risk_acceptances(acceptances, period=period)
    return PeriodData(
        period=period,
        run_outcomes=run_outcomes(in_period),
        runs=list(
            in_period.select_related("project", "model_version", "test_plan").order_by(
                "-created_at", "-id"
            )[:RUNS_LISTED]
        ),
        weeks=weeks,
        pass_rate=management.pass_rate_per_week(runs, weeks=weeks),
        per_week=management.opened_and_closed_per_week(findings, weeks=weeks),
        by_severity=findings_by_severity(findings, period=period),
        mttr_days=management.mean_time_to_remediate(closed_in_period),
        sla=management.sla_compliance(judged, today=period.end),
        risk_granted=list(granted[:RISKS_LISTED]),
        risk_granted_count=granted.count(),
        risk_expiring=list(expiring[:RISKS_LISTED]),
        risk_expiring_count=expiring.count(),
    )


def project_period(*, project: Project, period: Period) -> PeriodData:
    """A project's period (the caller has checked the reader may see the project)."""
    return _period_data(
        period=period,
        findings=Finding.objects.filter(project=project),
        runs=EvaluationRun.objects.filter(project=project),
        acceptances=RiskAcceptance.objects.filter(finding__project=project),
    )


def portfolio_projects(*, user: User | None) -> QuerySet[Project]:
    """The projects a portfolio report covers: those its requester sees (every project
    when the system asks)."""
    return Project.objects.all() if user is None else project_list_visible(user=user)


def portfolio_period(*, user: User | None, period: Period) -> PeriodData:
    """Every project the user sees over the period, with one row per project."""
    projects = portfolio_projects(user=user)
    project_ids = projects.values("pk")
    data = _period_data(
        period=period,
        findings=Finding.objects.filter(project_id__in=project_ids),
        runs=EvaluationRun.objects.filter(project_id__in=project_ids),
        acceptances=RiskAcceptance.objects.filter(finding__project_id__in=project_ids),
    )
    data.projects = project_rows(projects, period=period)
    return data


def project_rows(projects: QuerySet[Project], *, period: Period) -> list[ProjectRow]:
    """Each project's runs and findings over the period: three queries in all."""
    begin, end = period.bounds
    latest = EvaluationRun.objects.filter(
        project=OuterRef("pk"), status=RunStatus.SUCCEEDED, finished_at__lt=end
    ).order_by("-finished_at", "-id")
    chosen = list(
        projects.annotate(latest_verdict=Subquery(latest.values("verdict")[:1])).order_by(
            "name", "pk"
        )[:PROJECTS_LISTED]
    )
    ids = [project.pk for project in chosen]
    run_counts = {
        row["project_id"]: row
        for row in EvaluationRun.objects.filter(
            project_id__in=ids, created_at__gte=begin, created_at__lt=end
        )
        .order_by()
        .values("project_id")
        .annotate(
            total=Count("id"),
            failing=Count("id", filter=Q(status=RunStatus.SUCCEEDED, verdict=Verdict.FAIL)),
        )
    }
    finding_counts = {
        row["project_id"]: row
        for row in Finding.objects.filter(project_id__in=ids)
        .order_by()
        .values("project_id")
        .annotate(
            opened=Count("id", filter=Q(created_at__gte=begin, created_at__lt=end)),
            closed=Count("id", filter=Q(closed_at__gte=begin, closed_at__lt=end)),
            open_at_end=Count("id", filter=_open_at(end)),
            overdue=Count("id", filter=_open_at(end) & Q(due_date__lt=period.end)),
        )
    }
    rows = []
    for project in chosen:
        runs = run_counts.get(project.pk, {})
        found = finding_counts.get(project.pk, {})
        rows.append(
            ProjectRow(
                project=project,
                latest_verdict=getattr(project, "latest_verdict", None) or "",
                runs=runs.get("total", 0),
                failing_runs=runs.get("failing", 0),
                opened=found.get("opened", 0),
                closed=found.get("closed", 0),
                open_at_end=found.get("open_at_end", 0),
                overdue=found.get("overdue", 0),
            )
        )
    return rows
