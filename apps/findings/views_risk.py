"""Risk acceptance on the finding page: the quality manager asks to carry a finding's risk
until a date; management (or an admin) approves or rejects the request."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from apps.findings import services
from apps.findings.forms import RiskDecisionForm, RiskRequestForm
from apps.findings.models import RiskAcceptance
from apps.findings.views_finding import _done, _finding_or_404, _refused, _render_detail
from qualiti.errors import QualitiError
from qualiti.http import AuthenticatedHttpRequest


@login_required
@require_POST
def finding_risk_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    form = RiskRequestForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, risk_form=form)
    try:
        services.risk_acceptance_request(
            finding=finding,
            user=request.user,
            justification=form.cleaned_data["justification"],
            expires_on=form.cleaned_data["expires_on"],
        )
    except QualitiError as error:
        return _refused(request, finding, "risk_form", form, error)
    return _done(request, finding, "Risk acceptance requested from management.", "#risk")


@login_required
@require_POST
def finding_risk_decide(
    request: AuthenticatedHttpRequest, pk: int, acceptance_id: int
) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    acceptance = get_object_or_404(RiskAcceptance, pk=acceptance_id, finding=finding)
    form = RiskDecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, decision_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.risk_acceptance_decide(
            acceptance=acceptance,
            user=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except QualitiError as error:
        return _refused(request, finding, "decision_form", form, error)
    return _done(request, finding, "Risk accepted." if approve else "Risk acceptance rejected.")
