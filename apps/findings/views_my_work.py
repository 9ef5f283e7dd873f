""" "My work": a developer's open findings and corrective actions, soonest due first, each
with the buttons they may press right there. The buttons post to the finding page's
endpoints with `next` pointing back here."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.permissions import Action
from apps.findings import selectors
from apps.findings.models import ActionStatus, CorrectiveAction, Finding, FindingStatus
from apps.findings.views_finding import mark_overdue_actions
from apps.findings.workflow import MANUAL_TRANSITIONS, REASON_REQUIRED, allowed_targets
from qualiti.http import AuthenticatedHttpRequest

ROWS_PER_PAGE = 50

# The label of a one-click move, by (from, to): only the team's own moves needing no reason.
MOVE_LABELS: dict[tuple[str, str], str] = {
    (FindingStatus.OPEN, FindingStatus.IN_PROGRESS): "Start work",
    (FindingStatus.OPEN, FindingStatus.FIX_SUBMITTED): "Submit fix",
    (FindingStatus.IN_PROGRESS, FindingStatus.FIX_SUBMITTED): "Submit fix",
    (FindingStatus.FIX_SUBMITTED, FindingStatus.IN_PROGRESS): "Back to work",
}
_START_ACTION = (ActionStatus.IN_PROGRESS, "Start action")
_MARK_DONE = (ActionStatus.DONE, "Mark done")
ACTION_MOVES: dict[str, list[tuple[str, str]]] = {
    ActionStatus.PROPOSED: [_START_ACTION, _MARK_DONE],
    ActionStatus.ACCEPTED: [_START_ACTION, _MARK_DONE],
    ActionStatus.IN_PROGRESS: [_MARK_DONE],
}


@dataclass
class Button:
    value: str
    label: str


def finding_buttons(finding: Finding) -> list[Button]:
    buttons = []
    for target in allowed_targets(finding.status):
        label = MOVE_LABELS.get((finding.status, target))
        needed = MANUAL_TRANSITIONS[(finding.status, target)]
        if label and needed == Action.COLLABORATE and target not in REASON_REQUIRED:
            buttons.append(Button(target, label))
    return buttons


def action_buttons(action: CorrectiveAction) -> list[Button]:
    return [Button(value, label) for value, label in ACTION_MOVES.get(action.status, [])]


def _query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def my_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    findings_page = Paginator(selectors.my_work_findings(user=user), ROWS_PER_PAGE).get_page(
        request.GET.get("findings_page")
    )
    actions_page = Paginator(selectors.my_work_actions(user=user), ROWS_PER_PAGE).get_page(
        request.GET.get("actions_page")
    )
    rows_findings = list(findings_page)
    rows_actions = mark_overdue_actions(list(actions_page))
    allowed = selectors.findings_user_may_collaborate(
        user=user, findings=[*rows_findings, *(action.finding for action in rows_actions)]
    )
    finding_rows = [
        (finding, finding_buttons(finding) if finding.pk in allowed else [])
        for finding in rows_findings
    ]
    action_rows = [
        (action, action_buttons(action) if action.finding_id in allowed else [])
        for action in rows_actions
    ]
    context = {
        "findings_page": findings_page,
        "actions_page": actions_page,
        "finding_rows": finding_rows,
        "action_rows": action_rows,
        "findings_query": _query_without(request, "findings_page"),
        "actions_query": _query_without(request, "actions_page"),
        "here": request.get_full_path(),
    }
    return render(request, "findings/my_work.html", context)
