"""The generation services: who may request what, the claim that makes a repeated task
harmless, a failure in one line, the task on the default queue."""

import datetime

import pytest
from django.utils import timezone

from apps.reports import services
from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.services import (
    WORKER_LOST,
    report_claim,
    report_generate,
    report_request,
    reports_sweep,
)
from qualiti.celery import app
from qualiti.errors import InvalidInput, NotFound, PermissionRefused
from tests.findings.factories import ProjectCast
from tests.projects.factories import ModelVersionFactory
from tests.reports.factories import ReportedRun

pytestmark = pytest.mark.django_db


def test_anyone_who_sees_the_project_requests_a_run_report_an_outsider_cannot():
    reported = ReportedRun()

    report = report_request(kind="run", user=reported.viewer, run=reported.run, enqueue=False)

    assert (report.status, report.project, report.created_by) == (
        ReportStatus.QUEUED, reported.project, reported.viewer,
    )  # fmt: skip
    with pytest.raises(NotFound):
        report_request(kind="run", user=reported.outsider, run=reported.run)


def test_a_portfolio_report_is_for_administrators_and_management():
    reported = ReportedRun()

    with pytest.raises(PermissionRefused):
        report_request(kind="portfolio", user=reported.qm)
    assert report_request(kind="portfolio", user=reported.manager, enqueue=False).project is None


def test_a_report_replaces_only_one_of_its_kind_and_project():
    reported = ReportedRun()
    other = ReportedRun()
    theirs = Report.objects.create(kind=ReportKind.RUN, project=other.project, run=other.run)

    with pytest.raises(InvalidInput, match="same kind and project"):
        report_request(kind="run", user=None, run=reported.run, replaces=theirs)


def test_a_claimed_report_is_not_claimed_twice():
    reported = ReportedRun()
    report = Report.objects.create(kind=ReportKind.RUN, project=reported.project, run=reported.run)

    assert report_claim(report_id=report.pk) is not None
    assert report_claim(report_id=report.pk) is None


def test_generating_a_ready_report_again_changes_nothing():
    reported = ReportedRun()
    report = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run,
        status=ReportStatus.READY, pdf_sha256="a" * 64,
    )  # fmt: skip

    again = report_generate(report_id=report.pk)

    assert (again.status, again.pdf_sha256) == (ReportStatus.READY, "a" * 64)


def test_a_failure_is_one_line_without_a_traceback(monkeypatch):
    reported = ReportedRun()
    report = Report.objects.create(kind=ReportKind.RUN, project=reported.project, run=reported.run)

    def broken(report, **kwargs):
        raise ValueError("the template broke\nTraceback (most recent call last): ...")

    monkeypatch.setattr(services, "report_render_now", broken)
    failed = report_generate(report_id=report.pk)

    assert failed.status == ReportStatus.FAILED
    assert failed.error == "The report could not be generated (ValueError: the template broke)."
    assert failed.finished_at is not None


def test_the_task_goes_to_the_default_queue():
    route = app.amqp.router.route({}, "reports.generate", args=(1,), kwargs={})

    assert route["queue"].name == "default"


def test_the_sweeper_fails_a_report_whose_worker_stopped_and_resends_a_lost_one(
    django_capture_on_commit_callbacks,
):
    reported = ReportedRun()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    stuck = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run,
        status=ReportStatus.RUNNING, started_at=long_ago,
    )  # fmt: skip
    lost = Report.objects.create(kind=ReportKind.RUN, project=reported.project, run=reported.run)
    Report.objects.filter(pk=lost.pk).update(created_at=long_ago)
    fresh = Report.objects.create(kind=ReportKind.RUN, project=reported.project, run=reported.run)

    with django_capture_on_commit_callbacks() as callbacks:
        counts = reports_sweep()

    assert counts == {"failed": 1, "resent": 1}
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED and stuck.error == WORKER_LOST
    fresh.refresh_from_db()
    assert fresh.status == ReportStatus.QUEUED
    assert len(callbacks) == 1


def test_a_report_names_only_its_kinds_subject():
    """A field of another kind, or a subject of another project, is refused: it would put
    another project's names in the report's header."""

    cast = ProjectCast()
    elsewhere = ModelVersionFactory()
    cases = [
        {"kind": ReportKind.PROJECT, "project": cast.project, "model_version": elsewhere},
        {"kind": ReportKind.PORTFOLIO, "project": cast.project},
        {"kind": ReportKind.MODEL_CARD, "model_version": elsewhere, "project": cast.project},
    ]
    for case in cases:
        with pytest.raises(InvalidInput):
            services.report_request(user=cast.qm, enqueue=False, **case)


def test_a_period_longer_than_two_years_is_refused():

    cast = ProjectCast()
    with pytest.raises(InvalidInput, match="at most 731 days"):
        services.report_request(
            kind=ReportKind.PROJECT,
            user=cast.qm,
            project=cast.project,
            period_start=datetime.date(1, 1, 1),
            period_end=datetime.date.today(),
            enqueue=False,
        )
