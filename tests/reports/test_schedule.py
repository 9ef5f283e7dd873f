"""A project's scheduled report: when it is due (weekly, monthly), once per period, to
whom (management by default; nobody who may no longer see the project), who may set it,
and the e-mail with its PDF attached."""

import datetime
import hashlib
import io

import pytest
from celery.result import AsyncResult
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from apps.accounts.models import Membership, OrgRole
from apps.reports import tasks
from apps.reports.models import Report, ReportFrequency, ReportKind, ReportSchedule, ReportStatus
from apps.reports.schedule_email import (
    ReportNotReady,
    scheduled_report_email_send,
    scheduled_report_recipient_ids,
)
from apps.reports.schedules import (
    emails_task_id,
    report_schedule_set,
    schedule_is_due,
    schedule_next_date,
    schedule_next_morning,
    schedule_period,
    scheduled_report_send,
    scheduled_reports_send,
)
from apps.reports.tasks import report_generate_task, scheduled_reports_task
from qualiti.errors import InvalidInput, PermissionRefused
from tests.factories import UserFactory
from tests.findings.factories import ProjectCast
from tests.notifications.mail import text_and_html
from tests.reports.history import History
from tests.support.browser import requires_chromium

pytestmark = pytest.mark.django_db
WEEKLY, MONTHLY = ReportFrequency.WEEKLY, ReportFrequency.MONTHLY


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("frequency", "last_sent_on", "today", "due"),
    [
        (WEEKLY, None, "2025-03-12", True),
        (WEEKLY, "2025-03-12", "2025-03-12", False),
        (WEEKLY, "2025-03-06", "2025-03-12", False),
        (WEEKLY, "2025-03-05", "2025-03-12", True),
        (WEEKLY, "2025-02-01", "2025-03-12", True),
        (MONTHLY, None, "2025-03-12", True),
        (MONTHLY, "2025-01-15", "2025-02-01", True),  # the 1st of the month
        (MONTHLY, "2025-02-01", "2025-02-01", False),  # once that day
        (MONTHLY, "2025-02-01", "2025-02-28", False),
        (MONTHLY, "2025-02-01", "2025-03-01", True),
        (MONTHLY, "2025-01-03", "2025-02-02", False),  # the 1st was missed...
        (MONTHLY, "2025-01-03", "2025-02-03", True),  # ...a month since catches up
        (MONTHLY, "2025-01-31", "2025-02-28", True),  # a month after the 31st: the last day
        (MONTHLY, "2024-12-15", "2025-01-01", True),
    ],
)
def test_when_a_schedule_is_due(frequency, last_sent_on, today, due):
    last = day(last_sent_on) if last_sent_on else None

    assert schedule_is_due(frequency=frequency, last_sent_on=last, today=day(today)) is due


def test_the_next_date_is_the_first_day_due():
    next_weekly = schedule_next_date(
        frequency=WEEKLY, last_sent_on=day("2025-03-05"), today=day("2025-03-07")
    )
    next_monthly = schedule_next_date(
        frequency=MONTHLY, last_sent_on=day("2025-03-01"), today=day("2025-03-07")
    )

    assert (next_weekly, next_monthly) == (day("2025-03-12"), day("2025-04-01"))


def test_a_new_schedule_goes_out_the_next_morning_beat_runs(settings):
    settings.QUALITI_REPORT_SCHEDULE_HOUR = 6
    schedule = ReportSchedule(frequency=WEEKLY)
    tz = timezone.get_current_timezone()

    early = schedule_next_morning(
        schedule=schedule, now=datetime.datetime(2025, 3, 7, 5, tzinfo=tz)
    )
    late = schedule_next_morning(schedule=schedule, now=datetime.datetime(2025, 3, 7, 9, tzinfo=tz))

    assert (early, late) == (day("2025-03-07"), day("2025-03-08"))


def test_a_scheduled_report_covers_the_last_7_or_30_whole_days():
    weekly = schedule_period(frequency=WEEKLY, today=day("2025-03-10"))
    monthly = schedule_period(frequency=MONTHLY, today=day("2025-03-01"))

    assert (weekly.start, weekly.end) == (day("2025-03-03"), day("2025-03-09"))
    assert (monthly.start, monthly.end, monthly.days) == (day("2025-01-30"), day("2025-02-28"), 30)


def test_subscribers_default_to_the_organisations_management():
    cast = ProjectCast()
    UserFactory(org_role=OrgRole.MANAGEMENT, is_active=False)

    schedule = report_schedule_set(user=cast.qm, project=cast.project, frequency=WEEKLY)

    assert list(schedule.subscribers.all()) == [cast.manager]
    assert schedule.created_by == cast.qm and schedule.active


def test_a_change_keeps_the_subscribers_unless_it_names_them():
    cast = ProjectCast()
    report_schedule_set(user=cast.qm, project=cast.project, frequency=WEEKLY)

    report_schedule_set(user=cast.admin, project=cast.project, frequency=MONTHLY, active=False)
    kept = ReportSchedule.objects.get(project=cast.project)
    report_schedule_set(
        user=cast.qm, project=cast.project, frequency=MONTHLY, subscribers=[cast.viewer]
    )

    assert kept.frequency == MONTHLY and not kept.active
    assert list(kept.subscribers.all()) == [cast.viewer]


@pytest.mark.parametrize("who", ["dev", "viewer", "manager"])
def test_only_the_quality_manager_or_an_admin_sets_the_schedule(who):
    cast = ProjectCast()

    with pytest.raises(PermissionRefused, match="scheduling reports"):
        report_schedule_set(user=getattr(cast, who), project=cast.project, frequency=WEEKLY)
    assert not ReportSchedule.objects.exists()


def test_someone_who_cannot_see_the_project_cannot_subscribe():
    cast = ProjectCast()

    with pytest.raises(InvalidInput, match=cast.outsider.username):
        report_schedule_set(
            user=cast.qm, project=cast.project, frequency=WEEKLY, subscribers=[cast.outsider]
        )


def test_a_due_schedule_makes_one_report_per_period(django_capture_on_commit_callbacks):
    cast = ProjectCast()
    schedule = report_schedule_set(user=cast.qm, project=cast.project, frequency=WEEKLY)
    today = day("2025-03-10")

    with django_capture_on_commit_callbacks() as queued:
        first = scheduled_reports_send(today=today)
    with django_capture_on_commit_callbacks() as queued_again:
        again = scheduled_reports_send(today=today)
        later = scheduled_reports_send(today=day("2025-03-16"))
        direct = scheduled_report_send(schedule_id=schedule.pk, today=day("2025-03-16"))

    [report] = Report.objects.all()
    assert first == [report.pk] and again == later == [] and direct is None
    assert len(queued) == 1 and queued_again == []  # the generation, then the e-mails
    assert report.kind == ReportKind.PROJECT and report.project == cast.project
    assert (report.period_start, report.period_end) == (day("2025-03-03"), day("2025-03-09"))
    assert report.status == ReportStatus.QUEUED and report.created_by is None
    schedule.refresh_from_db()
    assert schedule.last_sent_on == today
    assert scheduled_reports_send(today=day("2025-03-17")) != []  # the next week's


def test_a_stopped_schedule_sends_nothing(django_capture_on_commit_callbacks):
    cast = ProjectCast()
    report_schedule_set(user=cast.qm, project=cast.project, frequency=WEEKLY, active=False)

    with django_capture_on_commit_callbacks() as queued:
        assert scheduled_reports_send(today=day("2025-03-10")) == []
    assert queued == [] and not Report.objects.exists()


def ready_report(cast: ProjectCast) -> Report:
    """A scheduled report as the generation leaves it (its PDF a stand-in: the real one is
    printed in test_schedule_email_arrives)."""
    report = Report.objects.create(
        kind=ReportKind.PROJECT,
        project=cast.project,
        period_start=day("2025-03-03"),
        period_end=day("2025-03-09"),
        status=ReportStatus.READY,
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 a stand-in"), save=True)
    return report


def test_a_subscriber_who_cannot_see_the_project_gets_nothing():
    cast = ProjectCast()
    report_schedule_set(
        user=cast.qm,
        project=cast.project,
        frequency=WEEKLY,
        subscribers=[cast.manager, cast.dev, cast.viewer],
    )
    Membership.objects.filter(user=cast.dev, project=cast.project).delete()  # dev left
    cast.viewer.email = ""
    cast.viewer.save()
    report = ready_report(cast)

    recipients = scheduled_report_recipient_ids(report_id=report.pk)
    sent_to_dev = scheduled_report_email_send(report_id=report.pk, user_id=cast.dev.pk)

    assert recipients == [cast.manager.pk]
    assert sent_to_dev is False and mail.outbox == []
    assert scheduled_report_email_send(report_id=report.pk, user_id=cast.manager.pk) is True
    [message] = mail.outbox
    assert message.to == [cast.manager.email]
    [(name, content, mimetype)] = message.attachments
    assert name == f"{cast.project.slug}-report-2025-03-03-to-2025-03-09.pdf"
    assert (content, mimetype) == (b"%PDF-1.7 a stand-in", "application/pdf")


def test_the_emails_wait_for_the_report_and_none_go_when_it_failed():
    cast = ProjectCast()
    report_schedule_set(user=cast.qm, project=cast.project, frequency=WEEKLY)
    report = ready_report(cast)

    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    with pytest.raises(ReportNotReady):
        scheduled_report_recipient_ids(report_id=report.pk)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
    assert scheduled_report_recipient_ids(report_id=report.pk) == []


def test_the_schedule_page_is_for_the_quality_manager_and_admins():
    cast = ProjectCast()
    url = f"/projects/{cast.project.slug}/reports/schedule/"
    client = Client()
    answers = {}
    for who in ("qm", "admin", "dev", "viewer", "manager", "outsider"):
        client.force_login(getattr(cast, who))
        answers[who] = client.get(url).status_code

    assert answers == {
        "qm": 200, "admin": 200, "dev": 403, "viewer": 403, "manager": 403, "outsider": 404,
    }  # fmt: skip


def test_the_quality_manager_schedules_the_report_on_the_page():
    cast = ProjectCast()
    client = Client()
    client.force_login(cast.qm)
    url = f"/projects/{cast.project.slug}/reports/schedule/"

    page = client.get(url).content.decode()
    refused = client.post(url, {"frequency": "weekly", "active": "on"})
    saved = client.post(
        url, {"frequency": "weekly", "subscribers": [cast.manager.pk, cast.dev.pk], "active": "on"}
    )

    assert f'value="{cast.manager.pk}"' in page and "checked" in page
    assert f'value="{cast.outsider.pk}"' not in page
    assert refused.status_code == 400 and "Choose at least one subscriber." in refused.text
    assert saved.status_code == 302
    schedule = ReportSchedule.objects.get(project=cast.project)
    assert schedule.frequency == WEEKLY and schedule.active
    assert set(schedule.subscribers.all()) == {cast.manager, cast.dev}


@requires_chromium
def test_a_scheduled_project_report_arrives_with_its_pdf_attached(
    inbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 15's "done when": beat's round, the report task printing the PDF with
    Chromium, the e-mail tasks sending through a real SMTP server."""
    history = History()
    cast = history.cast
    report_schedule_set(
        user=cast.qm, project=cast.project, frequency=WEEKLY, subscribers=[cast.manager, cast.dev]
    )
    Membership.objects.filter(user=cast.dev, project=cast.project).delete()

    with django_capture_on_commit_callbacks() as queued:
        [report_id] = scheduled_reports_task.apply().get()
    assert len(queued) == 1
    # What the queued tasks do, here: the report task, which queues the e-mails task once
    # the report is ready (on commit), then that task, whose per-subscriber tasks run at
    # once instead of going to the broker.
    with django_capture_on_commit_callbacks() as ready:
        assert report_generate_task.apply(args=[report_id]).get() == ReportStatus.READY
    assert len(ready) == 1
    monkeypatch.setattr(
        tasks, "scheduled_report_email_task", Inline(tasks.scheduled_report_email_task)
    )
    assert tasks.scheduled_report_emails_task.apply(args=[report_id]).get() == 1

    assert inbox.recipients() == {cast.manager.email}
    [message] = inbox.messages
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert cast.project.name in message["Subject"] and "weekly report" in message["Subject"]
    report = Report.objects.get(pk=report_id)
    link = f"http://qualiti.test/projects/{cast.project.slug}/reports/{report.pk}/html/"
    text, html = text_and_html(message)
    assert link in text and f'href="{link}"' in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == report.pdf_sha256
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Project report: {cast.project.name}" in words
    assert "Findings by severity" in words


class Inline:
    """A task whose `delay` runs it here and now (for the e-mail fan-out in a test)."""

    def __init__(self, task) -> None:
        self.task = task

    def delay(self, *args):
        return self.task.apply(args=args).get()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_a_real_worker_generates_the_scheduled_report_then_sends_its_emails(celery_worker):
    """The chain beat queues (generation, then the e-mails) through the session's broker."""
    cast = ProjectCast()
    report_schedule_set(user=cast.qm, project=cast.project, frequency=MONTHLY)

    [report_id] = scheduled_reports_send()  # queued on commit: no transaction around it

    emailed = AsyncResult(emails_task_id(report_id)).get(timeout=120)
    report = Report.objects.get(pk=report_id)
    assert report.status == ReportStatus.READY, report.error
    assert emailed == 1  # the organisation's management
