"""Writes of the reports app: request a report (a row queued, its task sent after commit),
generate it (claim, render the HTML, print the PDF, store both with their sha256), and
render one at once for callers that need the bytes now."""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import OrgRole, User
from apps.accounts.permissions import Action, project_action_check
from apps.evaluations.models import FINISHED_RUN_STATUSES, EvaluationRun
from apps.projects.models import ModelVersion, Project
from apps.reports.inputs import run_report_inputs, sha256_hex
from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.pdf import html_to_pdf
from apps.reports.render import report_header, report_html
from qualiti.errors import InvalidInput, PermissionRefused, QualitiError

logger = logging.getLogger(__name__)

# A report still "running" this long after its worker claimed it lost its worker (the
# filesystem broker forgets a message once fetched): a new request may claim it again, and
# the sweeper fails it. A report still queued this long is sent again (a lost message).
STALE_RUNNING = datetime.timedelta(minutes=15)
QUEUED_RESEND = datetime.timedelta(minutes=10)
WORKER_LOST = "The worker generating this report stopped before it was done: generate it again."
ProgressStep = Callable[[int, str], None]
# A project report's period commentary is its quality manager's word (or an admin's).
COMMENTARY_ACTION = Action.REPORT_SIGN

# Inputs recorded on a report, per kind (a kind with none records none).
INPUT_BUILDERS: dict[str, Callable[[Report], dict[str, Any]]] = {
    ReportKind.RUN: lambda report: run_report_inputs(report.run) if report.run else {},
}


def inputs_register(kind: str, builder: Callable[[Report], dict[str, Any]]) -> None:
    """Record `builder(report)` as the inputs of reports of `kind`."""
    INPUT_BUILDERS[kind] = builder


MAX_PERIOD_DAYS = 731  # two years: longer periods would ask the database for too many weeks


def _subject_fields_check(
    *,
    kind: str,
    subject_project: Project | None,
    project: Project | None,
    run: EvaluationRun | None,
    model_version: ModelVersion | None,
) -> None:
    """A report names only its kind's subject: a field of another kind, or one from
    another project, would print another project's names in its header."""
    if project is not None and subject_project is not None and project != subject_project:
        raise InvalidInput("The report's subject belongs to another project.", field="project")
    if kind == ReportKind.PORTFOLIO and project is not None:
        raise InvalidInput("A portfolio report covers every project: name none.", field="project")
    if kind != ReportKind.RUN and run is not None:
        raise InvalidInput("Only a run report names a run.", field="run")
    if kind in (ReportKind.PROJECT, ReportKind.PORTFOLIO) and model_version is not None:
        raise InvalidInput(
            "A project or portfolio report names no model version.", field="model_version"
        )
    if (
        kind == ReportKind.RUN
        and run is not None
        and model_version not in (None, run.model_version)
    ):
        raise InvalidInput(
            "A run report is about its run's model version; leave model_version out.",
            field="model_version",
        )


def _subject_project(
    *,
    kind: str,
    project: Project | None,
    run: EvaluationRun | None,
    model_version: ModelVersion | None,
) -> Project | None:
    """The project a report is about, checking the kind names its subject."""
    if kind == ReportKind.RUN:
        if run is None:
            raise InvalidInput("A run report needs its run.", field="run")
        if run.status not in FINISHED_RUN_STATUSES:
            raise InvalidInput(
                f"Run {run.pk} is still {run.status}: its report can be made once it ends.",
                field="run",
            )
        return run.project
    if kind == ReportKind.MODEL_CARD:
        if model_version is None:
            raise InvalidInput("A model card needs its model version.", field="model_version")
        return model_version.project
    if kind == ReportKind.PROJECT:
        if project is None:
            raise InvalidInput("A project report needs its project.", field="project")
        return project
    if kind == ReportKind.PORTFOLIO:
        return None
    kinds = ", ".join(ReportKind.values)
    raise InvalidInput(f"Unknown kind of report {kind!r}: one of {kinds}.", field="kind")


def portfolio_report_check(*, user: User | None) -> None:
    """Portfolio reports cover every project: only who sees every project (administrators
    and management) may request or read them."""
    if user is not None and not (user.is_org_admin or user.org_role == OrgRole.MANAGEMENT):
        raise PermissionRefused("Only administrators and management see portfolio reports.")


def report_request(
    *,
    kind: str,
    user: User | None,
    project: Project | None = None,
    run: EvaluationRun | None = None,
    model_version: ModelVersion | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    replaces: Report | None = None,
    enqueue: bool = True,
    **extra: Any,
) -> Report:
    """Queue a report: the row is created QUEUED and its generation task sent once the
    transaction commits (unless `enqueue` is False: the caller generates it). Anyone who
    sees the project may request a report about it; `extra` sets other fields of the row
    (e.g. `commentary`)."""
    subject_project = _subject_project(
        kind=kind, project=project, run=run, model_version=model_version
    )
    _subject_fields_check(
        kind=kind, subject_project=subject_project, project=project, run=run,
        model_version=model_version,
    )  # fmt: skip
    if kind in (ReportKind.RUN, ReportKind.MODEL_CARD):
        period_start = period_end = None  # a run or a model version has no period
        if kind == ReportKind.RUN:
            model_version = None  # the run names it
    elif period_start and period_end and (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"A report covers at most {MAX_PERIOD_DAYS} days; choose a shorter period.",
            field="period_start",
        )
    if subject_project is None:
        portfolio_report_check(user=user)
    else:
        project_action_check(user=user, project_id=subject_project.pk, action=Action.VIEW)
        if str(extra.get("commentary") or "").strip():
            project_action_check(
                user=user,
                project_id=subject_project.pk,
                action=COMMENTARY_ACTION,
                refusal="Only the project's quality manager or an admin writes its commentary.",
            )
    if period_start and period_end and period_start > period_end:
        raise InvalidInput("The period starts after it ends.", field="period_start")
    if replaces is not None and (
        replaces.kind != kind or replaces.project_id != getattr(subject_project, "pk", None)
    ):
        raise InvalidInput(
            "A report replaces only a report of the same kind and project.", field="replaces"
        )
    fields = {field.name for field in Report._meta.concrete_fields}
    unknown = sorted(set(extra) - fields)
    if unknown:
        raise InvalidInput(f"Unknown report fields: {', '.join(unknown)}.")
    report = Report(
        kind=kind,
        project=subject_project,
        run=run,
        model_version=model_version,
        period_start=period_start,
        period_end=period_end,
        replaces=replaces,
        created_by=user,
        status=ReportStatus.QUEUED,
        **extra,
    )
    with transaction.atomic():
        report.full_clean()
        report.save()
        if enqueue:
            report_enqueue(report=report)
    return report


def report_enqueue(*, report: Report) -> None:
    """Send the report's generation task once the current transaction commits."""
    from apps.reports.tasks import report_generate_task

    report_id = report.pk
    transaction.on_commit(lambda: report_generate_task.delay(report_id))


def _progress(report_id: int, percent: int, step: str) -> None:
    # Outside any transaction, so the page polling the report sees each step.
    Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        progress=percent, current_step=step[:200]
    )


def report_claim(*, report_id: int) -> Report | None:
    """Take a queued report (or one whose worker vanished) for generation: a conditional
    UPDATE, so two workers never generate the same report. None when it is not there to
    take (generated, failed, or running elsewhere)."""
    now = timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=ReportStatus.RUNNING,
        started_at=now,
        progress=1,
        current_step="Starting",
        error="",
    )
    if not claimed:
        return None
    return Report.objects.select_related(
        "project", "run", "run__model_version", "model_version"
    ).get(pk=report_id)


def report_render_now(
    report: Report, *, on_step: ProgressStep | None = None
) -> tuple[bytes, bytes]:
    """The report's HTML and PDF bytes, rendered now from the current data (nothing is
    stored). Raises a QualitiError with a one-line message when it cannot."""
    step = on_step or (lambda percent, words: None)
    step(10, "Gathering the results")
    html = report_html(report).encode("utf-8")
    step(50, "Printing the PDF")
    pdf = html_to_pdf(html.decode("utf-8"), header=report_header(report))
    return html, pdf


def report_files_store(*, report: Report, html: bytes, pdf: bytes) -> Report:
    """Store the HTML and PDF through Django's storage with the sha256 of the bytes as
    stored (and served); also records the report's inputs. Saves the row."""
    if report.is_signed and report.pdf_sha256:
        raise InvalidInput("A signed report never changes: make a new report that replaces it.")
    builder = INPUT_BUILDERS.get(report.kind)
    inputs = builder(report) if builder is not None else {}
    stem = f"{report.kind.replace('_', '-')}-report-{report.pk}"
    with transaction.atomic():
        report.html.save(f"{stem}.html", ContentFile(html), save=False)
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.html_sha256 = sha256_hex(html)
        report.pdf_sha256 = sha256_hex(pdf)
        report.inputs = inputs or report.inputs
        report.save(update_fields=["html", "pdf", "html_sha256", "pdf_sha256", "inputs"])
    return report


def _one_line(error: Exception) -> str:
    if isinstance(error, QualitiError):
        return error.message.splitlines()[0] if error.message else "The report failed."
    words = (str(error).strip().splitlines() or [""])[0]
    detail = f"{type(error).__name__}: {words}" if words else type(error).__name__
    return f"The report could not be generated ({detail})."[:500]


def report_generate(*, report_id: int) -> Report:
    """Generate a queued report: claim it, render the HTML, print the PDF, store both,
    READY. A failure marks it FAILED with a one-line message (the traceback goes to the
    log only). A report someone else claimed is returned as it is."""
    report = report_claim(report_id=report_id)
    if report is None:
        return Report.objects.get(pk=report_id)
    try:
        html, pdf = report_render_now(
            report, on_step=lambda percent, step: _progress(report_id, percent, step)
        )
        _progress(report_id, 90, "Storing the files")
        report_files_store(report=report, html=html, pdf=pdf)
    except Exception as error:
        logger.exception("Report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED,
            error=_one_line(error),
            current_step="",
            finished_at=timezone.now(),
        )
        report.refresh_from_db()
        return report
    with transaction.atomic():
        ready = Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
            status=ReportStatus.READY, progress=100, current_step="", finished_at=timezone.now()
        )
        if ready and report.schedule_id is not None:
            # Here rather than chained after the task: a generation sent again (the sweeper,
            # a lost message) still e-mails the schedule's subscribers.
            transaction.on_commit(lambda: _scheduled_emails_queue(report_id))
    report.refresh_from_db()
    return report


def _scheduled_emails_queue(report_id: int) -> None:
    from apps.reports.schedules import emails_task_id
    from apps.reports.tasks import scheduled_report_emails_task

    scheduled_report_emails_task.apply_async(args=(report_id,), task_id=emails_task_id(report_id))


def reports_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Periodic: fail the reports whose worker stopped (a killed task never runs its
    `except`), and send again the task of reports queued too long (its message lost; the
    claim makes a duplicate harmless)."""
    now = now or timezone.now()
    failed = Report.objects.filter(
        status=ReportStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    ).update(
        status=ReportStatus.FAILED,
        error=WORKER_LOST,
        current_step="",
        finished_at=now,
        signed_at=None,  # a signing whose print never finished signed nothing
        signed_by=None,
    )
    waiting = list(
        Report.objects.filter(
            status=ReportStatus.QUEUED, created_at__lt=now - QUEUED_RESEND
        ).values_list("pk", flat=True)[:100]
    )
    for report_id in waiting:
        report_enqueue(report=Report(pk=report_id))
    return {"failed": failed, "resent": len(waiting)}
