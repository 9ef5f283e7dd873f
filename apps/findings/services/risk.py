"""Risk acceptance: the quality manager asks, management (or an admin) approves, and the
acceptance ends on its expiry date, when the periodic task reopens the finding."""

import datetime

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, user_can
from apps.audit.services import status_change_record
from apps.findings.models import (
    Finding,
    FindingStatus,
    RiskAcceptance,
    RiskAcceptanceState,
)
from apps.findings.services.findings import claim_finding_version, finding_reopen
from qualiti.errors import InvalidInput, PermissionRefused
from qualiti.events import Event, event_publish

OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS, FindingStatus.FIX_SUBMITTED)


@transaction.atomic
def risk_acceptance_request(
    *, finding: Finding, user: User, justification: str, expires_on: datetime.date
) -> RiskAcceptance:
    if not user_can(user=user, project_id=finding.project_id, action=Action.RISK_REQUEST):
        raise PermissionRefused("Only the project's quality manager requests a risk acceptance.")
    if finding.status not in OPEN_STATUSES:
        raise InvalidInput(
            f"Risk can only be accepted on an open finding; this one is {finding.status}.",
            field="finding",
        )
    if not justification.strip():
        raise InvalidInput("A risk acceptance needs a justification.", field="justification")
    if expires_on <= timezone.localdate():
        raise InvalidInput("The expiry date must be in the future.", field="expires_on")
    if finding.risk_acceptances.filter(state=RiskAcceptanceState.PENDING).exists():
        raise InvalidInput("A risk acceptance for this finding is already waiting for approval.")
    acceptance = RiskAcceptance(
        finding=finding, justification=justification, expires_on=expires_on, requested_by=user
    )
    acceptance.full_clean()
    acceptance.save()
    status_change_record(
        subject=acceptance,
        project_id=finding.project_id,
        from_status="",
        to_status=RiskAcceptanceState.PENDING,
        actor_id=user.pk,
        reason=justification,
    )
    event_publish(Event("risk.requested", finding.project, acceptance, actor=user))
    return acceptance


@transaction.atomic
def risk_acceptance_decide(
    *, acceptance: RiskAcceptance, user: User, approve: bool, reason: str = ""
) -> RiskAcceptance:
    finding = acceptance.finding
    if not user_can(user=user, project_id=finding.project_id, action=Action.RISK_APPROVE):
        raise PermissionRefused("Only management or an admin decides on a risk acceptance.")
    # Lock the request: two approvers at once decide once.
    acceptance = RiskAcceptance.objects.select_for_update().get(pk=acceptance.pk)
    if acceptance.state != RiskAcceptanceState.PENDING:
        raise InvalidInput(f"This risk acceptance was already {acceptance.state}.")
    if approve and finding.status not in OPEN_STATUSES:
        raise InvalidInput(f"The finding is {finding.status} now; the request no longer applies.")
    new_state = RiskAcceptanceState.APPROVED if approve else RiskAcceptanceState.REJECTED
    acceptance.state = new_state
    acceptance.decided_by = user
    acceptance.decided_at = timezone.now()
    acceptance.save(update_fields=["state", "decided_by", "decided_at"])
    status_change_record(
        subject=acceptance,
        project_id=finding.project_id,
        from_status=RiskAcceptanceState.PENDING,
        to_status=new_state,
        actor_id=user.pk,
        reason=reason,
    )
    if approve:
        from_status = finding.status
        claim_finding_version(
            finding=finding,
            version=finding.version,
            status=FindingStatus.RISK_ACCEPTED,
            risk_expires_on=acceptance.expires_on,
            closed_at=timezone.now(),
        )
        status_change_record(
            subject=finding,
            project_id=finding.project_id,
            from_status=from_status,
            to_status=FindingStatus.RISK_ACCEPTED,
            actor_id=user.pk,
            reason=f"risk accepted until {acceptance.expires_on}: {acceptance.justification}",
        )
    event_publish(
        Event("risk.decided", finding.project, acceptance, actor=user, data={"state": new_state})
    )
    if approve:
        data = {
            "from": from_status,
            "to": FindingStatus.RISK_ACCEPTED,
            "reason": "",
            "run_id": None,
        }
        event_publish(Event("finding.status_changed", finding.project, finding, user, data))
    return acceptance


def risk_acceptances_expire(*, today: datetime.date | None = None) -> int:
    """Reopen every finding whose accepted risk has expired; returns how many."""
    today = today or timezone.localdate()
    expired = Finding.objects.filter(
        status=FindingStatus.RISK_ACCEPTED, risk_expires_on__lt=today
    ).values_list("pk", flat=True)
    reopened = 0
    for finding_id in list(expired):
        with transaction.atomic():
            finding = (
                Finding.objects.select_for_update().select_related("project").get(pk=finding_id)
            )
            expires_on = finding.risk_expires_on
            if (
                finding.status != FindingStatus.RISK_ACCEPTED
                or expires_on is None
                or expires_on >= today
            ):
                continue  # changed meanwhile
            acceptance = finding.risk_acceptances.filter(state=RiskAcceptanceState.APPROVED).first()
            if acceptance is not None:
                event_publish(Event("risk.expired", finding.project, acceptance))
            finding_reopen(
                finding=finding,
                version=finding.version,
                actor_id=None,
                reason=f"the risk acceptance expired on {finding.risk_expires_on}",
                today=today,
            )
            reopened += 1
    return reopened
