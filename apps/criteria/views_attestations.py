"""Pages that answer a process criterion and decide on the answer, and the download of an
answer's evidence. Each refuses who may not (403) and hides what the user may not see
(404); a refused form comes back on the criterion's page with its error."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import date_format
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from apps.criteria.evidence import evidence_body_guard, evidence_download
from apps.criteria.forms import AttestationAcceptForm, AttestationForm, AttestationRefuseForm
from apps.criteria.models import Attestation, Criterion
from apps.criteria.services_attestations import (
    attestation_accept,
    attestation_refuse,
    attestation_submit,
)
from apps.criteria.views import criterion_page, project_criterion_or_404
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from qualiti.errors import NotFound, QualitiError
from qualiti.forms import service_error_add
from qualiti.http import AuthenticatedHttpRequest


def _answer_of(criterion: Criterion, attestation_id: int) -> Attestation:
    return get_object_or_404(
        Attestation.objects.select_related("criterion__project"),
        criterion=criterion,
        pk=attestation_id,
    )


def _done(request: AuthenticatedHttpRequest, criterion: Criterion, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("criterion-edit", slug=criterion.project.slug, pk=criterion.pk)


@csrf_protect
def _answer(
    request: AuthenticatedHttpRequest, project: Project, criterion: Criterion
) -> HttpResponse:
    form = AttestationForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            attestation_submit(
                criterion=criterion,
                user=request.user,
                answer=data["answer"],
                evidence_file=data["evidence_file"],
                evidence_url=data["evidence_url"],
            )
        except QualitiError as error:
            service_error_add(form, error)
            status = error.status_code
        else:
            return _done(
                request, criterion, f"Answer to {criterion.code} sent to the quality manager."
            )
    return criterion_page(request, project, criterion, status=status, answer_form=form)


@csrf_exempt  # checked by _answer, once the body's size is judged from its length
@login_required
@require_POST
def attestation_submit_view(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    project = project_visible_or_404(user=request.user, slug=slug)
    criterion = project_criterion_or_404(project, pk)
    try:
        evidence_body_guard(request.META)
    except QualitiError as error:  # too large: refused before the body is read
        return criterion_page(
            request, project, criterion, status=error.status_code, answer_refusal=error.message
        )
    return _answer(request, project, criterion)


def _decide(
    request: AuthenticatedHttpRequest,
    slug: str,
    pk: int,
    attestation_id: int,
    *,
    form_class: type[Form],
    form_key: str,
    decide: Callable[[Attestation, dict[str, Any]], str],
) -> HttpResponse:
    """The quality manager's decision on an answer: the form, then `decide` (the service
    call, returning the message to show); a refusal comes back on the criterion's page."""
    project = project_visible_or_404(user=request.user, slug=slug)
    criterion = project_criterion_or_404(project, pk)
    attestation = _answer_of(criterion, attestation_id)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            message = decide(attestation, form.cleaned_data)
        except QualitiError as error:
            service_error_add(form, error)
            status = error.status_code
        else:
            return _done(request, criterion, message)
    return criterion_page(request, project, criterion, status=status, **{form_key: form})


@login_required
@require_POST
def attestation_accept_view(
    request: AuthenticatedHttpRequest, slug: str, pk: int, attestation_id: int
) -> HttpResponse:
    def accept(attestation: Attestation, data: dict[str, Any]) -> str:
        accepted = attestation_accept(attestation=attestation, user=request.user, note=data["note"])
        return (
            f"Accepted the answer to {attestation.criterion.code}; it holds until "
            f"{date_format(accepted.valid_until or '', 'j F Y')}."
        )

    return _decide(
        request, slug, pk, attestation_id,
        form_class=AttestationAcceptForm, form_key="accept_form", decide=accept,
    )  # fmt: skip


@login_required
@require_POST
def attestation_refuse_view(
    request: AuthenticatedHttpRequest, slug: str, pk: int, attestation_id: int
) -> HttpResponse:
    def refuse(attestation: Attestation, data: dict[str, Any]) -> str:
        attestation_refuse(attestation=attestation, user=request.user, reason=data["reason"])
        return (
            f"Sent the answer to {attestation.criterion.code} back; its finding is open with "
            "your reason."
        )

    return _decide(
        request, slug, pk, attestation_id,
        form_class=AttestationRefuseForm, form_key="refuse_form", decide=refuse,
    )  # fmt: skip


@login_required
@require_GET
def attestation_evidence(
    request: AuthenticatedHttpRequest, slug: str, pk: int, attestation_id: int
) -> FileResponse:
    """An answer's evidence file, as an attachment, for whoever sees the project."""
    project = project_visible_or_404(user=request.user, slug=slug)
    attestation = _answer_of(project_criterion_or_404(project, pk), attestation_id)
    try:
        return evidence_download(attestation)
    except NotFound as error:
        raise Http404(error.message) from error
