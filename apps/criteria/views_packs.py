"""The catalogue page's import of a criterion pack (its export is the API's YAML download).

Administrators and organisation quality managers import; a refused pack shows the
catalogue again with every problem listed beside the form. As on the uploads pages, a body
announced larger than a pack may be is refused before anything reads it: the CSRF
middleware would parse it first, so the view is exempted from it and checks the token
itself, after that guard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from apps.accounts.permissions import can_import_criterion_packs
from apps.criteria.forms import PackImportForm
from apps.criteria.packs.reading import pack_body_check, pack_too_large
from apps.criteria.packs.services import IMPORT_REFUSAL, criterion_pack_import
from apps.criteria.views import catalogue_context
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest


@csrf_exempt  # checked by _pack_import, after the size guard: see the module docstring
@login_required
@require_POST
def criterion_pack_import_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    if not can_import_criterion_packs(user=request.user):
        raise PermissionDenied(IMPORT_REFUSAL)
    limit = settings.QUALITI_PACK_MAX_BYTES
    try:
        pack_body_check(request.META.get("CONTENT_LENGTH"), max_bytes=limit)
    except QualitiError as error:
        return _refused(request, project, PackImportForm(), refusal=error.message, status=413)
    return _pack_import(request, project)


@csrf_protect
def _pack_import(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = PackImportForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            words = form.errors["file"][0] if "file" in form.errors else "Choose a pack file."
            return _refused(request, project, form, refusal=str(words), status=400)
        upload = form.cleaned_data["file"]
        if upload.size > settings.QUALITI_PACK_MAX_BYTES:
            raise pack_too_large(max_bytes=settings.QUALITI_PACK_MAX_BYTES)
        result = criterion_pack_import(user=request.user, content=upload.read())
    except QualitiError as error:
        refusal_raise(error)
        return _refused(
            request,
            project,
            form,
            refusal=error.message,
            problems=error.extra.get("errors", []),
            status=error.status_code,
        )
    pack = result.pack
    messages.success(
        request,
        f"Imported the pack {pack.slug} version {pack.version}: templates "
        f"{result.templates.summary()}; frameworks {result.frameworks.summary()}.",
    )
    return redirect("criterion-catalogue", slug=project.slug)


def _refused(
    request: AuthenticatedHttpRequest,
    project: Project,
    form: PackImportForm,
    *,
    refusal: str,
    problems: list[dict] | None = None,
    status: int,
) -> HttpResponse:
    context = catalogue_context(
        request, project, import_form=form, pack_refusal=refusal, pack_problems=problems or []
    )
    return render(request, "criteria/catalogue.html", context, status=status)
