"""Is this file a signed report of this instance, unaltered? Its sha256 must equal the
stored sha256 of a signed report's PDF or HTML; one byte changed and it does not.

Read-only: used by `manage.py verify_report` (which sees every project) and by the verify
page (which names only reports of projects the user may see; any other answers as not
found, exactly like a file that matches nothing).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import scope_to_visible_projects
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.reports.models import Conclusion, Report, ReportStatus

CHUNK_BYTES = 1024 * 1024


def file_sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def stream_chunks(stream: IO[bytes]) -> Iterable[bytes]:
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


def signer_words(user: User | None) -> str:
    """How a report names its signer: full name and username, or the username alone."""
    if user is None:
        return "a user since removed"
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username


def moment_words(moment: datetime) -> str:
    """A signing time as a report and the verification print it: minutes, with its zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class SignedMatch:
    """The signed report a file matched, with its run and signing time (never empty)."""

    report: Report
    run: EvaluationRun
    signed_at: datetime
    matched: str  # "PDF" or "HTML"


@dataclass(frozen=True)
class ReportVerification:
    """The verdict on one file: the matching signed report (None when there is none the
    asker may see), what replaced it, and newer runs of its plan."""

    sha256: str
    match: SignedMatch | None = None
    replaced_by: Report | None = None
    newer_runs: list[EvaluationRun] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.match is not None

    @property
    def report(self) -> Report | None:
        return self.match.report if self.match else None

    def headline(self) -> str:
        if self.match is None:
            return f"NOT a signed report of this instance (sha256 {self.sha256})"
        report, run = self.match.report, self.match.run
        return (
            f"VALID: signed report {report.pk} of run {run.pk} (project {run.project.name}, "
            f"model version {run.model_version.label}), signed by "
            f"{signer_words(report.signed_by)} on {moment_words(self.match.signed_at)}; "
            f"reports run {run.pk}"
        )

    def details(self) -> list[str]:
        """Further lines: which file matched, and what came after the signed report."""
        if self.match is None:
            return [
                "Its sha256 equals no signed report's PDF or HTML: it was altered, is not "
                "signed, or comes from another instance."
            ]
        report, run = self.match.report, self.match.run
        lines = [
            f"The file is the {self.match.matched} of the signed report exactly as stored "
            f"(sha256 {self.sha256}).",
            f"Conclusion: {_conclusion_words(report)}.",
        ]
        if report.replaces_id:
            lines.append(f"It replaces report {report.replaces_id}.")
        if self.replaced_by is not None and self.replaced_by.signed_at is not None:
            lines.append(
                f"It was itself replaced by report {self.replaced_by.pk}, signed on "
                f"{moment_words(self.replaced_by.signed_at)}."
            )
        if self.newer_runs:
            runs = ", ".join(
                f"run {newer.pk} (model version {newer.model_version.label})"
                for newer in self.newer_runs
            )
            lines.append(
                f"Newer runs of plan {run.test_plan.name} since run {run.pk}: {runs}. This "
                f"report is about run {run.pk} only."
            )
        return lines


def _conclusion_words(report: Report) -> str:
    conclusion = (report.inputs or {}).get("analysis", {}).get("conclusion", "")
    return str(Conclusion(conclusion).label) if conclusion in Conclusion.values else "none"


def signed_reports() -> QuerySet[Report]:
    return Report.objects.filter(signed_at__isnull=False, status=ReportStatus.READY)


def report_verify(
    *, chunks: Iterable[bytes], user: User | AnonymousUser | None
) -> ReportVerification:
    """The verdict on a file's bytes. `user=None` is the command line, which may name any
    report; a user is told only of reports of projects they may see."""
    sha256 = file_sha256(chunks)
    reports = signed_reports().filter(Q(pdf_sha256=sha256) | Q(html_sha256=sha256))
    if user is not None:
        reports = scope_to_visible_projects(reports, user=user)
    report = (
        reports.select_related("run__project", "run__model_version", "run__test_plan", "signed_by")
        .order_by("signed_at", "id")
        .first()
    )
    if report is None or report.run is None or report.signed_at is None:
        return ReportVerification(sha256=sha256)
    run = report.run
    newer_runs = list(
        EvaluationRun.objects.filter(
            test_plan__project=run.project,
            test_plan__name=run.test_plan.name,
            status=RunStatus.SUCCEEDED,
            created_at__gt=run.created_at,
        )
        .select_related("model_version")
        .order_by("created_at", "id")[:10]
    )
    return ReportVerification(
        sha256=sha256,
        match=SignedMatch(
            report=report,
            run=run,
            signed_at=report.signed_at,
            matched="PDF" if report.pdf_sha256 == sha256 else "HTML",
        ),
        replaced_by=signed_reports().filter(replaces=report).order_by("signed_at").first(),
        newer_runs=newer_runs,
    )
