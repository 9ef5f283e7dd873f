"""A project's constructed history for the period reports: findings opened, closed and
overdue at known dates, runs with known verdicts, risk acceptances granted and expiring."""

import datetime

from django.utils import timezone

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import Finding, FindingStatus, RiskAcceptance, RiskAcceptanceState
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import FindingFactory, ProjectCast


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def date_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def finding_at(cast: ProjectCast, *, created: int, closed: int | None = None, **fields) -> Finding:
    """A finding created `created` days ago (closed `closed` days ago)."""
    finding = cast.finding(**fields)
    Finding.objects.filter(pk=finding.pk).update(
        created_at=days_ago(created), closed_at=None if closed is None else days_ago(closed)
    )
    finding.refresh_from_db()
    return finding


def run_at(cast: ProjectCast, *, created: int, status: str, verdict: str = "", summary=None):
    run = EvaluationRunFactory(project=cast.project, status=status, verdict=verdict)
    EvaluationRun.objects.filter(pk=run.pk).update(
        created_at=days_ago(created),
        finished_at=days_ago(created) if status != RunStatus.QUEUED else None,
        summary=summary or {},
    )
    run.refresh_from_db()
    return run


class History:
    """Over the last 30 days (period ending today):

    | finding | severity | created | closed           | due     | counts as               |
    |---------|----------|---------|------------------|---------|-------------------------|
    | open    | critical | 10 ago  | -                | 3 ago   | opened, overdue         |
    | fixed   | high     | 20 ago  | 5 ago, verified  | in 10   | opened, closed, on time |
    | late    | medium   | 60 ago  | 2 ago, verified  | 10 ago  | closed, late            |
    | stale   | low      | 40 ago  | -                | 35 ago  | overdue                 |
    | risk    | high     | 5 ago   | 1 ago, accepted  | in 20   | opened, closed, on time |
    | old     | high     | 100 ago | 90 ago, verified | 95 ago  | nothing                 |

    Time to remediate: high 15 days (fixed), medium 58 (late); a risk accepted was never
    remediated. Runs: pass 2 days ago (4 of 4 checks passed), fail 16 days ago (2 of 4),
    failed 1 day ago, pass with warnings 40 days ago (outside)."""

    def __init__(self, cast: ProjectCast | None = None) -> None:
        self.cast = cast or ProjectCast()
        verified, accepted = FindingStatus.VERIFIED, FindingStatus.RISK_ACCEPTED
        add = self.finding
        self.open = add(created=10, severity="critical", due_date=date_ago(3))
        self.fixed = add(created=20, closed=5, status=verified, severity="high",
                         due_date=date_ago(-10))  # fmt: skip
        self.late = add(created=60, closed=2, status=verified, severity="medium",
                        due_date=date_ago(10))  # fmt: skip
        self.stale = add(created=40, severity="low", due_date=date_ago(35))
        self.risk = add(created=5, closed=1, status=accepted, severity="high",
                        due_date=date_ago(-20), risk_expires_on=date_ago(-10))  # fmt: skip
        self.old = add(created=100, closed=90, status=verified, severity="high",
                       due_date=date_ago(95))  # fmt: skip
        self.granted = self.acceptance(self.risk, decided=1, expires_in=10)
        # Granted long ago, runs out long after the period: neither granted nor expiring.
        self.far = self.acceptance(
            add(created=80, closed=50, status=accepted, severity="low"), decided=50, expires_in=60
        )
        self.passed = run_at(self.cast, created=2, status=RunStatus.SUCCEEDED, verdict="pass",
                             summary={"pass": 4, "fail": 0})  # fmt: skip
        self.failing = run_at(self.cast, created=16, status=RunStatus.SUCCEEDED, verdict="fail",
                              summary={"pass": 2, "fail": 2})  # fmt: skip
        self.broken = run_at(self.cast, created=1, status=RunStatus.FAILED)
        self.outside = run_at(self.cast, created=40, status=RunStatus.SUCCEEDED,
                              verdict="pass_with_warnings", summary={"pass": 1})  # fmt: skip

    def finding(self, **fields) -> Finding:
        return finding_at(self.cast, **fields)

    def acceptance(self, finding: Finding, *, decided: int, expires_in: int) -> RiskAcceptance:
        acceptance = RiskAcceptance.objects.create(
            finding=finding,
            justification=f"Accepted: {finding.title}",
            expires_on=date_ago(-expires_in),
            state=RiskAcceptanceState.APPROVED,
            requested_by=self.cast.qm,
            decided_by=self.cast.manager,
            decided_at=days_ago(decided),
        )
        return acceptance


def other_project_history() -> ProjectCast:
    """Another project's finding and run, which a report of the first must not count."""
    cast = ProjectCast()
    FindingFactory(project=cast.project, severity="critical")
    run_at(cast, created=3, status=RunStatus.SUCCEEDED, verdict="fail", summary={"fail": 1})
    return cast
