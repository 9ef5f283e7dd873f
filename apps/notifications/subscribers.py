"""From events (qualiti.events) to notices: who is told what, with a link to the thing."""

import re
from collections.abc import Callable

from apps.accounts.models import OrgRole, User
from apps.findings.models import Finding, FindingStatus
from apps.notifications.recipients import finding_people, fix_submitter
from apps.notifications.services import notify, project_quality_managers
from qualiti.events import Event

S = FindingStatus
# @username, not inside an e-mail address; Django usernames hold letters, digits, @.+-_
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+)")


def _finding_link(finding: Finding) -> str:
    return f"/findings/{finding.pk}/"


def _finding_opened(event: Event) -> None:
    finding: Finding = event.subject
    if event.data.get("reopened"):
        return  # told by finding.status_changed, which knows what it was
    notify(
        recipients=finding_people(finding),
        kind="finding_opened",
        project=event.project,
        message=f"New finding in {event.project.name}: {finding.title}.",
        link=_finding_link(finding),
        actor=event.actor,
    )


def _status_changed(event: Event) -> None:
    finding: Finding = event.subject
    before, after = event.data.get("from"), event.data.get("to")
    reason = event.data.get("reason") or ""
    because = f" ({reason})" if reason else ""
    common = {"project": event.project, "link": _finding_link(finding), "actor": event.actor}
    if after == S.FIX_SUBMITTED:
        notify(
            recipients=project_quality_managers(event.project),
            kind="fix_submitted",
            message=f"Fix submitted for “{finding.title}”, waiting for verification{because}.",
            **common,
        )
    elif after == S.OPEN and before == S.FIX_SUBMITTED:
        notify(
            recipients=[*finding_people(finding), fix_submitter(finding)],
            kind="fix_failed",
            message=f"The fix for “{finding.title}” did not pass{because}.",
            **common,
        )
    elif after == S.OPEN and before:
        notify(
            recipients=finding_people(finding),
            kind="finding_reopened",
            message=f"Finding reopened: {finding.title}{because}.",
            **common,
        )
    elif after == S.VERIFIED:
        notify(
            recipients=[*finding_people(finding), fix_submitter(finding)],
            kind="finding_verified",
            message=f"Finding verified: {finding.title}{because}.",
            **common,
        )


def _assigned(event: Event) -> None:
    finding: Finding = event.subject
    if finding.assignee is None:
        return
    by = f" by {event.actor.username}" if event.actor is not None else ""
    notify(
        recipients=[finding.assignee],
        kind="finding_assigned",
        project=event.project,
        message=f"“{finding.title}” in {event.project.name} was assigned to you{by}.",
        link=_finding_link(finding),
        actor=event.actor,
    )


def mentioned_users(body: str) -> list[User]:
    names: set[str] = set()
    for match in MENTION.finditer(body):
        names.update({match.group(1), match.group(1).rstrip(".")})
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True))


def _comment(event: Event) -> None:
    comment = event.subject
    finding = comment.finding
    author = comment.author.username if comment.author else "someone"
    notify(
        recipients=mentioned_users(comment.body),  # notify drops who may not see the project
        kind="mention",
        project=event.project,
        message=f"{author} mentioned you on “{finding.title}”.",
        link=f"{_finding_link(finding)}#comment-{comment.pk}",
        actor=event.actor,
    )


def _action_proposed(event: Event) -> None:
    action = event.subject
    who = event.actor.username if event.actor is not None else "A developer"
    notify(
        recipients=project_quality_managers(event.project),
        kind="action_proposed",
        project=event.project,
        message=f"{who} proposed a corrective action on “{action.finding.title}”: "
        f"{action.description[:120]}",
        link=_finding_link(action.finding),
        actor=event.actor,
    )


def _risk_requested(event: Event) -> None:
    acceptance = event.subject
    approvers = User.objects.filter(org_role=OrgRole.MANAGEMENT, is_active=True)
    notify(
        recipients=approvers,
        kind="risk_requested",
        project=event.project,
        message=f"Risk acceptance requested for “{acceptance.finding.title}” until "
        f"{acceptance.expires_on}; it waits for your decision.",
        link=_finding_link(acceptance.finding),
        actor=event.actor,
    )


def _risk_decided(event: Event) -> None:
    acceptance = event.subject
    by = f" by {event.actor.username}" if event.actor is not None else ""
    notify(
        recipients=[acceptance.requested_by],
        kind="risk_decided",
        project=event.project,
        message=f"Risk acceptance for “{acceptance.finding.title}” was "
        f"{event.data.get('state', acceptance.state)}{by}.",
        link=_finding_link(acceptance.finding),
        actor=event.actor,
    )


def _risk_expired(event: Event) -> None:
    acceptance = event.subject
    notify(
        recipients=[acceptance.requested_by, acceptance.decided_by],
        kind="risk_expired",
        project=event.project,
        message=f"The risk acceptance of “{acceptance.finding.title}” expired on "
        f"{acceptance.expires_on}; the finding is open again.",
        link=_finding_link(acceptance.finding),
    )


def _run_finished(event: Event) -> None:
    run = event.subject
    status = event.data.get("status", run.status)
    if status not in ("succeeded", "failed"):
        return  # a cancelled run: whoever cancelled it knows
    if run.triggered_by in ("upload", "schedule", "monitoring"):  # nobody clicked
        people = [*project_quality_managers(event.project), run.created_by]
    else:
        people = [run.created_by]
    verdict = event.data.get("verdict") or run.verdict
    outcome = (
        f"finished: {verdict.replace('_', ' ')}"
        if status == "succeeded" and verdict
        else "finished"
        if status == "succeeded"
        else "failed"
    )
    notify(
        recipients=people,
        kind="run_finished",
        project=event.project,
        message=f"Run {run.pk} of {run.test_plan.name} on model version "
        f"{run.model_version.sequence} in {event.project.name} {outcome}.",
        link=f"/projects/{event.project.slug}/runs/{run.pk}/",
    )


def _run_not_started(event: Event) -> None:
    # A model version's upload, or a production sample or monitoring schedule ("what").
    what = event.data.get("what") or (
        f"Model version {event.subject.sequence} of {event.project.name} was not evaluated "
        "on upload"
    )
    notify(
        recipients=[event.data.get("uploader")],
        kind="run_not_started",
        project=event.project,
        message=f"{what}: {event.data.get('why', 'no reason given')}",
        link=event.data.get("link", ""),
    )


_HANDLERS: dict[str, Callable[[Event], None]] = {
    "finding.opened": _finding_opened,
    "finding.status_changed": _status_changed,
    "finding.assigned": _assigned,
    "comment.created": _comment,
    "action.proposed": _action_proposed,
    "risk.requested": _risk_requested,
    "risk.decided": _risk_decided,
    "risk.expired": _risk_expired,
    "run.finished": _run_finished,
    "run.not_started": _run_not_started,
}


def notices_for_event(event: Event) -> None:
    handler = _HANDLERS.get(event.name)
    if handler is not None:
        handler(event)
