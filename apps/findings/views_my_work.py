""" "My work": one queue per role the user holds, each row with its next action as a button
(a POST form coming back here, or a link to the page where it is done).

- developer: open findings and corrective actions of theirs and their teams, soonest due
  first (Start work, Submit fix, I'll do it, Mark done);
- quality manager: fixes to verify, answers to process criteria to decide, findings
  without an assignee, risk acceptances to request or expiring, runs that failed;
- management: risk acceptances waiting for a decision, overdue critical findings.

The reads are in apps.findings.work_queues; its counts are kept on the request so the top
bar (apps.findings.context_processors) does not count again."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts.models import Membership, ProjectRole, User
from apps.accounts.permissions import Action
from apps.findings import selectors, work_queues
from apps.findings.models import ActionStatus, CorrectiveAction, Finding, FindingStatus
from apps.findings.services.ownership import TAKEABLE_STATUSES
from apps.findings.views_finding import mark_overdue_actions
from apps.findings.workflow import MANUAL_TRANSITIONS, REASON_REQUIRED, allowed_targets
from qualiti.http import AuthenticatedHttpRequest

ROWS_PER_PAGE = 50
QUEUE_ROWS = 25  # rows shown of each quality manager and management queue

# The label of a one-click move, by (from, to): only the team's own moves needing no reason.
MOVE_LABELS: dict[tuple[str, str], str] = {
    (FindingStatus.OPEN, FindingStatus.IN_PROGRESS): "Start work",
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
    """A POST of `value` to the row's endpoint, or (with `href`) a link to where it is done."""

    value: str
    label: str
    href: str = ""


def finding_buttons(finding: Finding) -> list[Button]:
    buttons = []
    detail = reverse("finding-detail", args=[finding.pk])
    for target in allowed_targets(finding.status):
        if MANUAL_TRANSITIONS[(finding.status, target)] != Action.COLLABORATE:
            continue
        if target == FindingStatus.FIX_SUBMITTED:
            # The fix's note is written on the finding's page.
            buttons.append(Button(target, "Submit fix", href=f"{detail}#submit-fix"))
            continue
        label = MOVE_LABELS.get((finding.status, target))
        if label and target not in REASON_REQUIRED:
            buttons.append(Button(target, label))
    return buttons


def action_buttons(action: CorrectiveAction) -> list[Button]:
    buttons = []
    if action.owner_id is None and action.status in TAKEABLE_STATUSES:
        buttons.append(Button("take", "I'll do it"))
    return buttons + [Button(value, label) for value, label in ACTION_MOVES.get(action.status, [])]


def _query_without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _developer_queue(request: AuthenticatedHttpRequest) -> dict[str, Any]:
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
    return {
        "findings_page": findings_page,
        "actions_page": actions_page,
        "finding_rows": [
            (finding, finding_buttons(finding) if finding.pk in allowed else [])
            for finding in rows_findings
        ],
        "action_rows": [
            (action, action_buttons(action) if action.finding_id in allowed else [])
            for action in rows_actions
        ],
        "findings_query": _query_without(request, "findings_page"),
        "actions_query": _query_without(request, "actions_page"),
    }


def _quality_manager_queues(user: User) -> dict[str, Any]:
    return {
        "verify_rows": list(work_queues.fixes_to_verify(user=user)[:QUEUE_ROWS]),
        "answer_rows": list(work_queues.answers_to_decide(user=user)[:QUEUE_ROWS]),
        "unassigned_rows": list(work_queues.findings_unassigned(user=user)[:QUEUE_ROWS]),
        "risk_request_rows": list(work_queues.risk_to_request(user=user)[:QUEUE_ROWS]),
        "risk_expiring_rows": list(work_queues.risk_expiring(user=user)[:QUEUE_ROWS]),
        "failed_run_rows": list(work_queues.runs_failed(user=user)[:QUEUE_ROWS]),
    }


def _management_queues(user: User) -> dict[str, Any]:
    return {
        "decision_rows": list(work_queues.risk_decisions(user=user)[:QUEUE_ROWS]),
        "overdue_critical_rows": list(work_queues.overdue_critical(user=user)[:QUEUE_ROWS]),
    }


@login_required
@require_GET
def my_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    counts = work_queues.work_waiting_counts(user=user)
    request.work_waiting_counts = counts  # type: ignore[attr-defined]  # for the top bar
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    is_quality_manager = ProjectRole.QUALITY_MANAGER in roles
    decides = work_queues.decides_risk(user=user)
    developer = _developer_queue(request)
    # The developer's queue shows for developers, for whoever has work in it, and for a
    # user with no other queue (who then reads what would show there).
    shows_developer = (
        ProjectRole.DEVELOPER in roles
        or bool(developer["finding_rows"] or developer["action_rows"])
        or not (is_quality_manager or decides)
    )
    context: dict[str, Any] = {
        "counts": counts,
        "shows_developer": shows_developer,
        "is_quality_manager": is_quality_manager,
        "decides_risk": decides,
        "queue_rows": QUEUE_ROWS,
        "expiring_days": work_queues.EXPIRING_WITHIN_DAYS,
        "failed_days": work_queues.FAILED_RUNS_WITHIN_DAYS,
        "here": request.get_full_path(),
        **developer,
    }
    if is_quality_manager:
        context.update(_quality_manager_queues(user))
    if decides:
        context.update(_management_queues(user))
    return render(request, "findings/my_work.html", context)
