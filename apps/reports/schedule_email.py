"""The e-mail of a scheduled project report: one message per subscriber, a plain-text and
an HTML part, the PDF attached, and a link to the report in Qualiti."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.permissions import Action, user_can
from apps.notifications.email import absolute
from apps.reports.models import Report, ReportSchedule, ReportStatus
from apps.reports.schedules import schedule_recipients

logger = logging.getLogger(__name__)


class ReportNotReady(Exception):
    """The report is still being generated: the e-mail task tries again a little later."""


def scheduled_report_recipient_ids(*, report_id: int) -> list[int]:
    """Who receives this scheduled report now: the project's schedule's subscribers who
    may see the project. Raises ReportNotReady while it is queued or running; none when it
    failed or the schedule is gone or stopped."""
    report = Report.objects.select_related("project").get(pk=report_id)
    if report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        raise ReportNotReady(f"report {report_id} is {report.status}")
    if report.project is None or report.status != ReportStatus.READY:
        logger.warning("Scheduled report %s is %s: nobody is e-mailed", report_id, report.status)
        return []
    schedule = ReportSchedule.objects.filter(project=report.project, active=True).first()
    if schedule is None:
        return []
    return [user.pk for user in schedule_recipients(schedule=schedule)]


def report_link(report: Report) -> str:
    """The report itself in Qualiti (its HTML, behind the login), as an absolute URL."""
    slug = report.project.slug if report.project else ""
    return absolute(reverse("report-file-html", args=[slug, report.pk]))


def _pdf_name(report: Report) -> str:
    slug = report.project.slug if report.project else "portfolio"
    return f"{slug}-report-{report.period_start:%Y-%m-%d}-to-{report.period_end:%Y-%m-%d}.pdf"


def scheduled_report_email_send(*, report_id: int, user_id: int) -> bool:
    """E-mail a ready scheduled report to one subscriber; False (nothing sent) when they
    may no longer see the project or have no address. A failure to send raises, so the
    task retries."""
    report = Report.objects.select_related("project").get(pk=report_id)
    user = User.objects.get(pk=user_id)
    project = report.project
    if project is None or report.status != ReportStatus.READY or not report.pdf:
        return False
    if not (user.is_active and user.email) or not user_can(
        user=user, project_id=project.pk, action=Action.VIEW
    ):
        return False
    schedule = ReportSchedule.objects.filter(project=project).first()
    context = {
        "user": user,
        "report": report,
        "project": project,
        "frequency": schedule.get_frequency_display().lower() if schedule else "scheduled",
        "link": report_link(report),
        "reports_url": absolute(reverse("project-reports", args=[project.slug])),
    }
    message = EmailMultiAlternatives(
        subject=f"[Qualiti] {project.name}: {context['frequency']} report, "
        f"{report.period_start:%-d %b} to {report.period_end:%-d %b %Y}",
        body=render_to_string("reports/email/scheduled_report.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("reports/email/scheduled_report.html", context), "text/html"
    )
    with report.pdf.open("rb") as pdf:
        message.attach(_pdf_name(report), pdf.read(), "application/pdf")
    message.send()
    return True
