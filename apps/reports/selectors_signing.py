"""Reads of the sign-off: the analysis a run report shows, and a run's signed reports."""

from datetime import datetime

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.evaluations.models import EvaluationRun
from apps.reports.models import Report, ReportKind, ReportStatus, RunAnalysis


def report_analysis(report: Report) -> RunAnalysis | None:
    """The analysis a run report shows: a signed report's frozen copy (an unsaved
    RunAnalysis), or else the run's analysis as it is now."""
    if report.run_id is None:
        return None
    frozen = (report.inputs or {}).get("analysis")
    if report.signed_at is None or not frozen:
        return RunAnalysis.objects.filter(run_id=report.run_id).select_related("updated_by").first()
    updated_at = frozen.get("updated_at")
    return RunAnalysis(
        run_id=report.run_id,
        text=frozen.get("text", ""),
        conclusion=frozen.get("conclusion", ""),
        conditions=frozen.get("conditions", ""),
        updated_by=User.objects.filter(username=frozen.get("written_by") or None).first(),
        updated_at=datetime.fromisoformat(updated_at) if updated_at else report.signed_at,
    )


def signed_run_reports(run: EvaluationRun) -> QuerySet[Report]:
    """The run's signed reports that are stored (ready), newest first."""
    return (
        Report.objects.filter(
            kind=ReportKind.RUN, run=run, signed_at__isnull=False, status=ReportStatus.READY
        )
        .select_related("signed_by")
        .order_by("-signed_at", "-id")
    )


def previous_signed_report(run: EvaluationRun) -> Report | None:
    """The run's latest signed report that did not fail: the one a new signature replaces."""
    return (
        Report.objects.filter(kind=ReportKind.RUN, run=run, signed_at__isnull=False)
        .exclude(status=ReportStatus.FAILED)
        .order_by("-signed_at", "-id")
        .first()
    )
