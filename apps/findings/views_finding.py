"""One finding's page: facts, evidence chart, guidance, corrective actions, history and
comments, with a POST endpoint per form. A form the user may not use is not shown, and
POSTing it anyway answers 403 (404 when the finding is not theirs to see). A refusal by a
service re-renders the page with its message and status (400, 403, 409)."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Membership, User
from apps.accounts.permissions import Action, user_can
from apps.evaluations.charts import run_figures
from apps.findings import selectors, services
from apps.findings.evidence import evidence_values
from apps.findings.forms import (
    ActionCreateForm,
    ActionProposeForm,
    ActionStatusForm,
    AssignForm,
    CommentForm,
    FixSubmitForm,
    RiskDecisionForm,
    RiskRequestForm,
    TransitionForm,
    assignable_help,
)
from apps.findings.models import (
    CLOSED_FINDING_STATUSES,
    ActionStatus,
    CorrectiveAction,
    Finding,
    FindingStatus,
    RiskAcceptanceState,
)
from apps.findings.services.findings import finding_may_collaborate
from apps.findings.services.ownership import TAKEABLE_STATUSES
from apps.findings.services.risk import OPEN_STATUSES
from apps.findings.views import safe_next
from apps.findings.workflow import MANUAL_TRANSITIONS, allowed_targets, forward_first
from qualiti.errors import QualitiError, StaleVersion
from qualiti.forms import refusal_raise
from qualiti.http import AuthenticatedHttpRequest


def _may_triage(user: User, finding: Finding) -> bool:
    return user_can(user=user, project_id=finding.project_id, action=Action.FINDING_TRIAGE)


def status_targets(user: User, finding: Finding, *, may_collaborate: bool) -> list[str]:
    """The statuses this user may move this finding to, by the workflow and their role."""
    triage = _may_triage(user, finding)
    targets = []
    for target in allowed_targets(finding.status):
        needed = MANUAL_TRANSITIONS[(finding.status, target)]
        if (needed == Action.FINDING_TRIAGE and triage) or (
            needed == Action.COLLABORATE and may_collaborate
        ):
            targets.append(target)
    return forward_first(finding.status, targets)


def action_status_choices(*, may_triage: bool) -> list[tuple[str, str]]:
    """Developers move their actions along; only the quality manager rejects one."""
    return [
        (value, label)
        for value, label in ActionStatus.choices
        if may_triage or value != ActionStatus.REJECTED
    ]


def mark_overdue_actions(actions: list[CorrectiveAction]) -> list[CorrectiveAction]:
    """Set `is_overdue` on each action: past due and neither done nor rejected."""
    today = timezone.localdate()
    for action in actions:
        action.is_overdue = bool(
            action.due_date
            and action.due_date < today
            and action.status not in (ActionStatus.DONE, ActionStatus.REJECTED)
        )
    return actions


def ownership_context(
    finding: Finding, *, may_collaborate: bool, may_triage: bool
) -> dict[str, Any]:
    """Taking an action ("I'll do it") and proposing one: for who may work on the finding
    while it is open; the quality manager adds actions with the full form instead."""
    workable = may_collaborate and finding.status not in CLOSED_FINDING_STATUSES
    return {
        "may_take": workable,
        "takeable_statuses": TAKEABLE_STATUSES,
        "propose_form": ActionProposeForm() if workable and not may_triage else None,
    }


def risk_context(user: User, finding: Finding) -> dict[str, Any]:
    """The pending request (if any) and the forms this user may use on it."""
    pending = (
        finding.risk_acceptances.select_related("requested_by")
        .filter(state=RiskAcceptanceState.PENDING)
        .first()
    )
    may_request = user_can(user=user, project_id=finding.project_id, action=Action.RISK_REQUEST)
    may_decide = user_can(user=user, project_id=finding.project_id, action=Action.RISK_APPROVE)
    return {
        "pending_risk": pending,
        "risk_form": (
            RiskRequestForm()
            if may_request and pending is None and finding.status in OPEN_STATUSES
            else None
        ),
        "decision_form": RiskDecisionForm() if may_decide and pending is not None else None,
    }


def _project_members(finding: Finding) -> QuerySet[User]:
    """Who may be given work on the finding: the project's members and its team's."""
    return services.assignable_people(project=finding.project)


def _assignable_help(user: User, finding: Finding) -> str:
    may_manage = user_can(user=user, project_id=finding.project_id, action=Action.PROJECT_MANAGE)
    members_url = reverse("project-members", args=[finding.project.slug]) if may_manage else None
    return assignable_help(project=finding.project, members_url=members_url)


def _detail_context(
    request: AuthenticatedHttpRequest, finding: Finding, **overrides: Any
) -> dict[str, Any]:
    user = request.user
    may_triage = _may_triage(user, finding)
    may_collaborate = finding_may_collaborate(user=user, finding=finding)
    targets = status_targets(user, finding, may_collaborate=may_collaborate)
    evidence = selectors.finding_evidence_result(finding=finding)
    forms: dict[str, Any] = {
        "comment_form": CommentForm() if may_collaborate else None,
        "transition_form": (
            TransitionForm(initial={"version": finding.version}, targets=targets)
            if targets
            else None
        ),
        "assign_form": (
            AssignForm(
                initial={
                    "version": finding.version,
                    "severity": finding.severity,
                    "assigned_team": finding.assigned_team_id,
                    "assignee": finding.assignee_id,
                },
                members=_project_members(finding),
                help_text=_assignable_help(user, finding),
            )
            if may_triage
            else None
        ),
        "action_form": (
            ActionCreateForm(
                members=_project_members(finding), help_text=_assignable_help(user, finding)
            )
            if may_triage
            else None
        ),
        **ownership_context(finding, may_collaborate=may_collaborate, may_triage=may_triage),
        **risk_context(user, finding),
    }
    if FindingStatus.FIX_SUBMITTED in targets:
        # Submitting a fix has its own form, with its note; the status form offers the rest.
        forms["fix_form"] = FixSubmitForm(initial={"version": finding.version})
        targets = [target for target in targets if target != FindingStatus.FIX_SUBMITTED]
        forms["transition_form"] = forms["transition_form"] if targets else None
    forms.update(overrides)  # bound forms with errors, page_error
    if forms["transition_form"] is not None:
        # A bound form validated against every status shows only the user's own targets.
        forms["transition_form"].fields["to"].choices = [
            (value, FindingStatus(value).label) for value in targets
        ]
    return {
        "finding": finding,
        "project": finding.project,
        "tab": "findings",
        "evidence": evidence,
        "figures": run_figures([evidence]) if evidence else {},
        "evidence_values": evidence_values(evidence),
        "actions": mark_overdue_actions(list(finding.actions.select_related("owner"))),
        "action_choices": action_status_choices(may_triage=may_triage),
        "history": list(selectors.finding_history(finding=finding)),
        "finding_runs": selectors.finding_runs(finding=finding),
        "comments": list(finding.comments.select_related("author")),
        "may_triage": may_triage,
        "may_collaborate": may_collaborate,
        **forms,
    }


def _render_detail(
    request: AuthenticatedHttpRequest, finding: Finding, *, status: int = 200, **overrides: Any
) -> HttpResponse:
    context = _detail_context(request, finding, **overrides)
    return render(request, "findings/finding_detail.html", context, status=status)


def _refused(
    request: AuthenticatedHttpRequest, finding: Finding, name: str, form: Form, error: QualitiError
) -> HttpResponse:
    """Re-render with the service's message beside its field. After a stale version the
    form carries the current one, so sending it again (once read) goes through."""
    refusal_raise(error)
    finding.refresh_from_db()
    if isinstance(error, StaleVersion) and "version" in form.fields:
        data = cast(QueryDict, form.data).copy()  # the POST the form was bound to
        data["version"] = str(finding.version)
        form.data = data  # bound fields read the data when rendered
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return _render_detail(
        request, finding, status=error.status_code, page_error=error.message, **{name: form}
    )


def _finding_or_404(request: AuthenticatedHttpRequest, pk: int) -> Finding:
    return selectors.finding_visible_or_404(user=request.user, pk=pk)


def _done(request: HttpRequest, finding: Finding, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(safe_next(request, reverse("finding-detail", args=[finding.pk]) + anchor))


@login_required
@require_GET
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _finding_or_404(request, pk))


@login_required
@require_POST
def finding_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, comment_form=form)
    try:
        services.comment_create(finding=finding, user=request.user, body=form.cleaned_data["body"])
    except QualitiError as error:
        return _refused(request, finding, "comment_form", form, error)
    return _done(request, finding, "Comment added.", "#comments")


@login_required
@require_POST
def finding_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    # Validated against every status: the service names the legal moves when one is not.
    form = TransitionForm(request.POST, targets=FindingStatus.values)
    if not form.is_valid():
        return _render_detail(request, finding, status=400, transition_form=form)
    data = form.cleaned_data
    try:
        services.finding_transition(
            finding=finding,
            user=request.user,
            to=data["to"],
            reason=data["reason"],
            version=data["version"],
        )
    except QualitiError as error:
        return _refused(request, finding, "transition_form", form, error)
    return _done(request, finding, f"Status changed to {FindingStatus(data['to']).label}.")


@login_required
@require_POST
def finding_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    form = AssignForm(
        request.POST,
        members=_project_members(finding),
        help_text=_assignable_help(request.user, finding),
    )
    if not form.is_valid():
        return _render_detail(request, finding, status=400, assign_form=form)
    data = form.cleaned_data
    assignee = data["assignee"]
    newcomer = (
        assignee is not None
        and not Membership.objects.filter(project_id=finding.project_id, user=assignee).exists()
    )
    try:
        services.finding_update(
            finding=finding,
            user=request.user,
            version=data["version"],
            severity=data["severity"],
            assigned_team_id=data["assigned_team"].pk if data["assigned_team"] else None,
            assignee_id=data["assignee"].pk if data["assignee"] else None,
            fields_given=frozenset({"assigned_team", "assignee"}),
        )
    except QualitiError as error:
        return _refused(request, finding, "assign_form", form, error)
    joined = (
        newcomer
        and Membership.objects.filter(project_id=finding.project_id, user=assignee).exists()
    )
    message = f"Triage saved; {assignee} joined the project as a developer." if joined else ""
    return _done(request, finding, message or "Triage saved.")


@login_required
@require_POST
def finding_action_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    form = ActionCreateForm(
        request.POST,
        members=_project_members(finding),
        help_text=_assignable_help(request.user, finding),
    )
    if not form.is_valid():
        return _render_detail(request, finding, status=400, action_form=form)
    data = form.cleaned_data
    try:
        services.corrective_action_create(
            finding=finding,
            user=request.user,
            description=data["description"],
            owner_id=data["owner"].pk if data["owner"] else None,
            due_date=data["due_date"],
        )
    except QualitiError as error:
        return _refused(request, finding, "action_form", form, error)
    return _done(request, finding, "Corrective action added.", "#actions")


@login_required
@require_POST
def finding_action_update(
    request: AuthenticatedHttpRequest, pk: int, action_id: int
) -> HttpResponse:
    finding = _finding_or_404(request, pk)
    action = get_object_or_404(
        CorrectiveAction.objects.select_related("finding__project"), pk=action_id, finding=finding
    )
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        message = " ".join(" ".join(map(str, errors)) for errors in form.errors.values())
        return _render_detail(request, finding, status=400, page_error=message)
    data = form.cleaned_data
    try:
        services.corrective_action_update(
            action=action, user=request.user, version=data["version"], status=data["status"]
        )
    except QualitiError as error:
        refusal_raise(error)
        return _render_detail(request, finding, status=error.status_code, page_error=error.message)
    label = ActionStatus(data["status"]).label
    return _done(request, finding, f"Corrective action marked {label.lower()}.", "#actions")
