"""The numbers management asks for, over the projects a user may see: time to remediate,
findings by age, opened against closed per week, SLA compliance, and the trend of pass
rate and open findings. Each is one aggregate query, whatever the number of findings."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.dashboards.selectors.portfolio import SEVERITIES
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import CLOSED_FINDING_STATUSES, Finding, FindingStatus

AGE_BUCKETS = [("under 30 days", 0, 30), ("30 to 60 days", 30, 60), ("60 to 90 days", 60, 90),
               ("over 90 days", 90, None)]  # fmt: skip
# Fixed findings count towards the time to remediate; risk accepted and false positives
# were never remediated.
_REMEDIATED = Q(status=FindingStatus.VERIFIED, closed_at__isnull=False)
_OPEN = ~Q(status__in=CLOSED_FINDING_STATUSES)


@dataclass
class SlaCompliance:
    on_time: int
    late: int
    open_overdue: int

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.open_overdue

    @property
    def percent(self) -> float | None:
        return None if not self.judged else 100.0 * self.on_time / self.judged


def mean_time_to_remediate(findings: QuerySet[Finding]) -> dict[str, float | None]:
    """Mean days from opened to verified, per severity (None where nothing was fixed)."""
    took = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    rows = (
        findings.filter(_REMEDIATED)
        .order_by()
        .values("severity")
        .annotate(mean=Avg(took), fixed=Count("id"))
    )
    days: dict[str, float | None] = {severity: None for severity in SEVERITIES}
    for row in rows:
        mean = row["mean"]
        if isinstance(mean, (int, float)):  # some backends answer microseconds
            mean = datetime.timedelta(microseconds=mean)
        days[row["severity"]] = None if mean is None else mean.total_seconds() / 86400
    return days


def findings_by_age(findings: QuerySet[Finding], *, now: datetime.datetime) -> dict[str, int]:
    """Open findings by how long they have been open."""
    buckets = {}
    for index, (_, low, high) in enumerate(AGE_BUCKETS):
        condition = _OPEN & Q(created_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - datetime.timedelta(days=high))
        buckets[f"age_{index}"] = Count("id", filter=condition)
    totals = findings.order_by().aggregate(**buckets)
    return {label: totals[f"age_{index}"] for index, (label, _, _) in enumerate(AGE_BUCKETS)}


def week_starts(*, today: datetime.date, weeks: int) -> list[datetime.date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week last."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def _week_bounds(start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    return begin, begin + datetime.timedelta(weeks=1)


def opened_and_closed_per_week(
    findings: QuerySet[Finding], *, weeks: list[datetime.date]
) -> dict[str, list[int]]:
    """Findings opened and closed in each week, and those still open at its end."""
    counts = {}
    for index, start in enumerate(weeks):
        begin, end = _week_bounds(start)
        counts[f"opened_{index}"] = Count("id", filter=Q(created_at__gte=begin, created_at__lt=end))
        counts[f"closed_{index}"] = Count("id", filter=Q(closed_at__gte=begin, closed_at__lt=end))
        counts[f"open_{index}"] = Count(
            "id",
            filter=Q(created_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
        )
    totals = findings.order_by().aggregate(**counts)
    return {
        kind: [totals[f"{kind}_{index}"] for index in range(len(weeks))]
        for kind in ("opened", "closed", "open")
    }


def sla_compliance(findings: QuerySet[Finding], *, today: datetime.date) -> SlaCompliance:
    """Closed findings closed by their due date, against those closed late and those
    open past it."""
    closed = Q(status__in=CLOSED_FINDING_STATUSES, closed_at__isnull=False, due_date__isnull=False)
    totals = (
        findings.order_by()
        .annotate(closed_on=TruncDate("closed_at"))
        .aggregate(
            on_time=Count("id", filter=closed & Q(closed_on__lte=F("due_date"))),
            late=Count("id", filter=closed & Q(closed_on__gt=F("due_date"))),
            open_overdue=Count("id", filter=_OPEN & Q(due_date__lt=today)),
        )
    )
    return SlaCompliance(**totals)


def pass_rate_per_week(
    runs: QuerySet[EvaluationRun], *, weeks: list[datetime.date]
) -> list[float | None]:
    """Share of judged checks that passed, over the runs finished in each week."""
    begin, _ = _week_bounds(weeks[0])
    passed = [0] * len(weeks)
    judged = [0] * len(weeks)
    finished = runs.filter(status=RunStatus.SUCCEEDED, finished_at__gte=begin).order_by()
    # One row per finished run of the window: a few hundred at most, each a small dict.
    for finished_at, summary in finished.values_list("finished_at", "summary"):
        day = timezone.localtime(finished_at).date()
        index = (day - weeks[0]).days // 7
        if 0 <= index < len(weeks):
            passed[index] += int(summary.get("pass", 0))
            judged[index] += int(summary.get("pass", 0)) + int(summary.get("fail", 0))
    return [None if not n else round(100.0 * p / n, 1) for p, n in zip(passed, judged, strict=True)]
