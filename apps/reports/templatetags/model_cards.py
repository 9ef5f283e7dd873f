"""The model card on the model version page, and its numbers in the card's template.

`{% model_card_pdf_panel %}`: the "Model card (PDF)" part of the model version page (the
latest model card report of the version: generate, progress, download), so the page
includes it with one line and its view knows nothing of reports. The filters write numbers,
intervals and thresholds as the Markdown export does."""

from typing import Any

from django import template

from apps.projects.models import ModelVersion
from apps.reports.model_card_markdown import interval_text, number_text, threshold_text
from apps.reports.models import Report, ReportKind, ReportStatus

register = template.Library()
register.filter("card_number", number_text)
register.filter("card_interval", interval_text)


@register.simple_tag
def card_threshold(comparator: str, threshold: float | None) -> str:
    return threshold_text(comparator, threshold)


def latest_model_card(version: ModelVersion, *, ready: bool = False) -> Report | None:
    """The newest model card report of a version (in any state, or only a ready one)."""
    reports = Report.objects.filter(kind=ReportKind.MODEL_CARD, model_version=version)
    if ready:
        reports = reports.filter(status=ReportStatus.READY)
    return reports.order_by("-created_at", "-id").first()


def model_card_pdf_context(version: ModelVersion) -> dict[str, Any]:
    """The PDF part's state: the newest request, and the newest ready PDF (which stays
    downloadable while a newer one is being made)."""
    report = latest_model_card(version)
    ready = report if report and report.status == ReportStatus.READY else None
    if report is not None and ready is None:
        ready = latest_model_card(version, ready=True)
    return {
        "project": version.project,
        "version": version,
        "card_report": report,
        "ready_report": ready,
        "generating": report is not None
        and report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
    }


@register.inclusion_tag("reports/_model_card_pdf.html", takes_context=True)
def model_card_pdf_panel(context: template.Context) -> dict[str, Any]:
    return {"csrf_token": context.get("csrf_token"), **model_card_pdf_context(context["version"])}
