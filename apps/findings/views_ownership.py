"""Ownership on the finding page: "I'll do it" on a corrective action, a developer's
proposal of a new one, and submitting a fix with its note. Each posts here, calls its
service, and comes back (to `next` when it is a page of this site, as from My work)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from apps.findings import services
from apps.findings.forms import ActionProposeForm, ActionTakeForm, FixSubmitForm
from apps.findings.models import CorrectiveAction, FindingStatus
from apps.findings.views_finding import _done, _finding_or_404, _refused, _render_detail
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest


@login_required
@require_POST
def finding_action_take(request: AuthenticatedHttpRequest, pk: int, action_id: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    action = get_object_or_404(
        CorrectiveAction.objects.select_related("finding__project"), pk=action_id, finding=finding
    )
    form = ActionTakeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, page_error="Reload the page first.")
    try:
        services.corrective_action_take(
            action=action, user=request.user, version=form.cleaned_data["version"]
        )
    except QualitiError as error:
        refusal_raise(error)
        return _render_detail(request, finding, status=error.status_code, page_error=error.message)
    return _done(request, finding, "The action is yours, and in progress.", "#actions")


@login_required
@require_POST
def finding_action_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    form = ActionProposeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, propose_form=form)
    try:
        services.corrective_action_propose(
            finding=finding,
            user=request.user,
            description=form.cleaned_data["description"],
            due_date=form.cleaned_data["due_date"],
        )
    except QualitiError as error:
        return _refused(request, finding, "propose_form", form, error)
    return _done(
        request, finding, "Action proposed; the quality manager accepts or rejects it.", "#actions"
    )


@login_required
@require_POST
def finding_fix_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    form = FixSubmitForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, fix_form=form)
    try:
        services.finding_transition(
            finding=finding,
            user=request.user,
            to=FindingStatus.FIX_SUBMITTED,
            reason=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except QualitiError as error:
        if error.field == "reason":
            error.field = "note"
        return _refused(request, finding, "fix_form", form, error)
    return _done(request, finding, "Fix submitted; the quality manager verifies it.")
