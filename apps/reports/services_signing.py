"""The quality manager's sign-off: a run's written analysis and conclusion, and the signed
run report that freezes them.

Signing makes a new Report and renders its HTML and PDF at once, in the signing request:
the signed document is what existed when the quality manager signed, and a signing that
cannot render signs nothing. A signed report never changes; a later correction is a new
signed report naming the one it replaces.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.reports.inputs import canonical_json, run_report_inputs, sha256_hex
from apps.reports.models import Conclusion, Report, ReportKind, ReportStatus, RunAnalysis
from apps.reports.selectors_signing import previous_signed_report
from apps.reports.services import report_files_store, report_render_now
from qualiti.errors import InvalidInput, QualitiError

logger = logging.getLogger(__name__)

ANALYSIS_MAX_CHARS = 50_000
CONDITIONS_MAX_CHARS = 10_000


def _run_must_have_succeeded(run: EvaluationRun, doing: str) -> None:
    if run.status != RunStatus.SUCCEEDED:
        raise InvalidInput(
            f"Only a run that succeeded can be {doing}; run {run.pk} is "
            f"{run.get_status_display().lower()}."
        )


def _analysis_clean(*, text: str, conclusion: str, conditions: str) -> tuple[str, str, str]:
    text, conditions = (text or "").strip(), (conditions or "").strip()
    conclusion = conclusion or ""
    if conclusion and conclusion not in Conclusion.values:
        words = ", ".join(f"{value!r}" for value in Conclusion.values)
        raise InvalidInput(
            f"Unknown conclusion {conclusion!r}; choose one of {words}.", field="conclusion"
        )
    if len(text) > ANALYSIS_MAX_CHARS:
        raise InvalidInput(
            f"The analysis is {len(text):,} characters long; at most {ANALYSIS_MAX_CHARS:,}.",
            field="text",
        )
    if len(conditions) > CONDITIONS_MAX_CHARS:
        raise InvalidInput(
            f"The conditions are {len(conditions):,} characters long; at most "
            f"{CONDITIONS_MAX_CHARS:,}.",
            field="conditions",
        )
    if conclusion == Conclusion.RELEASE_WITH_CONDITIONS and not conditions:
        raise InvalidInput(
            'Write the conditions of the release: the conclusion is "Release with conditions".',
            field="conditions",
        )
    return text, conclusion, conditions


@transaction.atomic
def run_analysis_save(
    *, run: EvaluationRun, user: User | None, text: str, conclusion: str, conditions: str
) -> RunAnalysis:
    """Write the quality manager's analysis of a run that succeeded (Markdown), its
    conclusion (may stay empty while it is a draft) and the conditions of a conditional
    release. Reports already signed keep the analysis they froze."""
    project_action_check(user=user, project_id=run.project_id, action=Action.REPORT_SIGN)
    _run_must_have_succeeded(run, "analysed")
    text, conclusion, conditions = _analysis_clean(
        text=text, conclusion=conclusion, conditions=conditions
    )
    analysis = RunAnalysis.objects.select_for_update().filter(run=run).first()
    if analysis is None:
        analysis = RunAnalysis(run=run)
    unchanged = analysis.pk and (analysis.text, analysis.conclusion, analysis.conditions) == (
        text,
        conclusion,
        conditions,
    )
    if unchanged:
        return analysis  # saving the same words again changes nothing, not even who wrote them
    analysis.text, analysis.conclusion, analysis.conditions = text, conclusion, conditions
    analysis.updated_by = user
    analysis.full_clean()
    analysis.save()
    return analysis


def analysis_record(analysis: RunAnalysis) -> dict[str, Any]:
    """The analysis as a signed report freezes it, with the sha256 of its canonical JSON."""
    record: dict[str, Any] = {
        "text": analysis.text,
        "conclusion": analysis.conclusion,
        "conditions": analysis.conditions
        if analysis.conclusion == Conclusion.RELEASE_WITH_CONDITIONS
        else "",
        "written_by": analysis.updated_by.username if analysis.updated_by else "",
        "updated_at": analysis.updated_at.isoformat() if analysis.updated_at else "",
    }
    return {**record, "sha256": sha256_hex(canonical_json(record))}


def _analysis_ready(run: EvaluationRun) -> RunAnalysis:
    analysis = RunAnalysis.objects.filter(run=run).select_related("updated_by").first()
    if analysis is None or not analysis.text:
        raise InvalidInput(
            f"Write the analysis of run {run.pk} before signing its report.", field="text"
        )
    if not analysis.conclusion:
        raise InvalidInput(
            "Choose a conclusion (release, release with conditions, do not release) before "
            "signing the report.",
            field="conclusion",
        )
    return analysis


@transaction.atomic
def _signed_report_create(*, run: EvaluationRun, user: User | None) -> Report:
    # One signature at a time per run, so each names the one before it.
    run = EvaluationRun.objects.select_for_update().select_related("project").get(pk=run.pk)
    _run_must_have_succeeded(run, "signed")
    analysis = _analysis_ready(run)
    now = timezone.now()
    report = Report(
        kind=ReportKind.RUN,
        project=run.project,
        run=run,
        # Running from the start: no worker claims it, the signing request renders it.
        status=ReportStatus.RUNNING,
        started_at=now,
        progress=1,
        current_step="Signing",
        created_by=user,
        signed_by=user,
        signed_at=now,
        replaces=previous_signed_report(run),
        inputs={**run_report_inputs(run), "analysis": analysis_record(analysis)},
    )
    report.full_clean()
    report.save()
    return report


def run_report_sign(*, run: EvaluationRun, user: User | None) -> Report:
    """Sign the run's report: a new Report freezing the analysis and conclusion, the
    sha256 of every input, who signed and when, rendered at once to HTML and PDF whose
    sha256 are stored. Signing again makes a new report that replaces the previous one.
    Only the project's quality manager or an administrator signs."""
    project_action_check(user=user, project_id=run.project_id, action=Action.REPORT_SIGN)
    report = _signed_report_create(run=run, user=user)
    frozen = report.inputs["analysis"]
    # Rendering (Chromium prints the PDF) happens outside any transaction: it takes seconds
    # and must not hold the database's write lock meanwhile.
    try:
        html, pdf = report_render_now(report)
        with transaction.atomic():
            report_files_store(report=report, html=html, pdf=pdf)
            Report.objects.filter(pk=report.pk).update(
                inputs={**report.inputs, "analysis": frozen},
                status=ReportStatus.READY,
                progress=100,
                current_step="",
                finished_at=timezone.now(),
            )
    except Exception as error:
        logger.exception("Signing report %s of run %s failed", report.pk, run.pk)
        _signature_withdraw(report, error)
        if isinstance(error, QualitiError):
            raise
        raise InvalidInput(
            "The report could not be rendered, so nothing was signed: "
            f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"[:500]
        ) from error
    report.refresh_from_db()
    return report


@transaction.atomic
def _signature_withdraw(report: Report, error: Exception) -> None:
    """A signing whose report did not render signs nothing: the report stays in the list
    as failed, unsigned, with no file."""
    message = error.message if isinstance(error, QualitiError) else str(error)
    Report.objects.filter(pk=report.pk).update(
        signed_at=None,
        signed_by=None,
        status=ReportStatus.FAILED,
        current_step="",
        finished_at=timezone.now(),
        error=f"Signing failed: {message}"[:2000],
    )


def signed_report_guard(report: Report) -> None:
    """Refuse any change to a signed report whose files are stored: call it in every
    service that would write a report's files, hashes, inputs or signature."""
    if report.pk is None:
        return
    stored = Report.objects.filter(pk=report.pk).values("signed_at", "status").first()
    if stored and stored["signed_at"] is not None and stored["status"] == ReportStatus.READY:
        raise InvalidInput(
            f"Report {report.pk} is signed and never changes; sign the run's report again to "
            "make a new report that replaces it."
        )
