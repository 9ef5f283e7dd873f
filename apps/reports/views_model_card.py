"""Pages of a model version's model card, beside the model version page: the Markdown
export, and the PDF made through the report pipeline (request, progress; the PDF itself
is served by the Reports tab's permission-checked file view)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from apps.projects.models import ModelVersion
from apps.projects.selectors import model_version_list_visible
from apps.reports.model_card_markdown import model_card_markdown
from apps.reports.models import ReportKind
from apps.reports.services import report_request
from apps.reports.templatetags.model_cards import model_card_pdf_context
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest


def _visible_version(request: AuthenticatedHttpRequest, slug: str, pk: int) -> ModelVersion:
    """The version, or 404 when it does not exist or its project is not the user's to see."""
    versions = model_version_list_visible(user=request.user).select_related(
        "project__development_team"
    )
    return get_object_or_404(versions, pk=pk, project__slug=slug)


def markdown_response(version: ModelVersion) -> HttpResponse:
    """The model card as a Markdown file to save."""
    response = HttpResponse(
        model_card_markdown(version), content_type="text/markdown; charset=utf-8"
    )
    filename = f"{version.project.slug}-model-v{version.sequence}-card.md"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def model_card_markdown_download(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> HttpResponse:
    return markdown_response(_visible_version(request, slug, pk))


@login_required
@require_POST
def model_card_pdf_request(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Queue a model card report of the version; the page then shows its progress."""
    version = _visible_version(request, slug, pk)
    try:
        report_request(kind=ReportKind.MODEL_CARD, user=request.user, model_version=version)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
    else:
        messages.success(request, "The model card PDF is being made; this page shows when.")
    url = reverse("model-version-page", args=[slug, version.pk])
    return redirect(f"{url}#model-card-heading")


@login_required
@require_GET
def model_card_pdf_status(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The PDF part of the model card section, which htmx polls while the PDF is made."""
    version = _visible_version(request, slug, pk)
    return render(request, "reports/_model_card_pdf.html", model_card_pdf_context(version))
