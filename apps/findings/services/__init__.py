"""Writes to findings, their corrective actions, comments and risk acceptances."""

from apps.findings.services.actions import corrective_action_create, corrective_action_update
from apps.findings.services.assignees import assignable_people, assignee_admit
from apps.findings.services.findings import (
    comment_create,
    finding_create,
    finding_due_date,
    finding_transition,
    finding_update,
)
from apps.findings.services.ownership import corrective_action_propose, corrective_action_take
from apps.findings.services.risk import (
    risk_acceptance_decide,
    risk_acceptance_request,
    risk_acceptances_expire,
)
from apps.findings.services.sync import finding_fingerprint, findings_sync_for_run

__all__ = [
    "assignable_people",
    "assignee_admit",
    "comment_create",
    "corrective_action_create",
    "corrective_action_propose",
    "corrective_action_take",
    "corrective_action_update",
    "finding_create",
    "finding_due_date",
    "finding_fingerprint",
    "finding_transition",
    "finding_update",
    "findings_sync_for_run",
    "risk_acceptance_decide",
    "risk_acceptance_request",
    "risk_acceptances_expire",
]
