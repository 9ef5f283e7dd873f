"""Answers to process criteria: submitted by whoever must answer (the named person, or a
member with the named role), accepted or sent back by the project's quality manager (or
an admin), and expired by the periodic task once their validity ends. Each decision
moves the criterion's finding (apps.findings.services.process): a refusal or an expiry
opens or reopens it, an acceptance verifies it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.permissions import Action, project_action_check, user_can
from apps.audit.services import status_change_record
from apps.criteria.models import (
    AnswererRole,
    Attestation,
    AttestationStatus,
    Criterion,
    CriterionKind,
    EvidenceKind,
    ProcessStatus,
)
from apps.criteria.selectors import process_criterion_state
from apps.findings.services.process import process_finding_fail, process_finding_pass
from qualiti.errors import InvalidInput, PermissionRefused, TooLarge

A = AttestationStatus
_DECIDE = "Only the project's quality manager and admins accept or send back answers."


def evidence_limit_bytes() -> int:
    return settings.QUALITI_MAX_EVIDENCE_BYTES


def answerer_words(criterion: Criterion) -> str:
    """Who answers the criterion, as a person reads it."""
    if criterion.answerer is not None:
        return criterion.answerer.get_full_name() or criterion.answerer.username
    return f"a {AnswererRole(criterion.answered_by_role).label.lower()} of the project"


def attestation_may_submit(*, user: User, criterion: Criterion) -> bool:
    """Only the answerer answers: the named person, else a member with the named role."""
    if criterion.kind != CriterionKind.PROCESS:
        return False
    members = Membership.objects.filter(project_id=criterion.project_id, user_id=user.pk)
    if criterion.answerer_id is not None:
        return user.pk == criterion.answerer_id and members.exists()
    return members.filter(role=criterion.answered_by_role).exists()


def attestation_may_decide(*, user: User, criterion: Criterion) -> bool:
    return user_can(user=user, project_id=criterion.project_id, action=Action.CRITERIA_MANAGE)


def _evidence_check(
    criterion: Criterion, evidence_file: UploadedFile | None, evidence_url: str
) -> None:
    limit = evidence_limit_bytes()
    if evidence_file is not None and (evidence_file.size or 0) > limit:
        size = evidence_file.size or 0
        raise TooLarge(
            f"The evidence file is {filesizeformat(size)}; evidence files are limited to "
            f"{filesizeformat(limit)} (setting QUALITI_MAX_EVIDENCE_BYTES). Link to a large "
            "document instead.",
            field="evidence_file",
            extra={"limit_bytes": limit},
        )
    expected = criterion.evidence_expected
    if expected == EvidenceKind.FILE and evidence_file is None:
        raise InvalidInput(
            f"{criterion.code} expects a file as evidence: attach one.", field="evidence_file"
        )
    if expected == EvidenceKind.LINK and not evidence_url:
        raise InvalidInput(
            f"{criterion.code} expects a link to the evidence: give one.", field="evidence_url"
        )
    if expected == EvidenceKind.FILE_OR_LINK and evidence_file is None and not evidence_url:
        raise InvalidInput(
            f"{criterion.code} expects evidence: attach a file or give a link.",
            field="evidence_file",
        )


def _invalid(error: ValidationError) -> InvalidInput:
    field, messages = next(iter(error.message_dict.items()))
    return InvalidInput(f"{field}: {' '.join(messages)}", field=field)


def attestation_submit(
    *,
    criterion: Criterion,
    user: User,
    answer: str,
    evidence_file: UploadedFile | None = None,
    evidence_url: str = "",
) -> Attestation:
    """Answer a process criterion with its evidence; the answer waits for the quality
    manager's decision. One answer at a time waits per criterion."""
    project_action_check(user=user, project_id=criterion.project_id, action=Action.VIEW)
    if criterion.kind != CriterionKind.PROCESS:
        raise InvalidInput(
            f"{criterion.code} is measured by a check in runs; it takes no answer.",
            field="criterion",
        )
    if not attestation_may_submit(user=user, criterion=criterion):
        raise PermissionRefused(f"Only {answerer_words(criterion)} answers {criterion.code}.")
    answer, evidence_url = answer.strip(), evidence_url.strip()
    if not answer:
        raise InvalidInput("Write the answer to the question.", field="answer")
    _evidence_check(criterion, evidence_file, evidence_url)
    attestation = Attestation(
        criterion=criterion, answer=answer, evidence_url=evidence_url, submitted_by=user
    )
    if evidence_file is not None:
        attestation.evidence_file = evidence_file
        attestation.evidence_name = (evidence_file.name or "evidence")[-255:]
        attestation.evidence_size = evidence_file.size
    try:
        # The one-waiting-answer constraint is asked below, with a message that says so.
        attestation.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise _invalid(error) from error
    waiting = InvalidInput(
        f"An answer to {criterion.code} is already waiting for the quality manager's "
        "decision; it must be accepted or sent back first.",
        field="criterion",
    )
    try:
        with transaction.atomic():
            if criterion.attestations.filter(status=A.SUBMITTED).exists():
                raise waiting
            attestation.save()
            status_change_record(
                subject=attestation,
                project_id=criterion.project_id,
                from_status="",
                to_status=A.SUBMITTED,
                actor_id=user.pk,
                reason=f"answered {criterion.code}",
            )
    except IntegrityError as error:  # another answer arrived between the check and the save
        raise waiting from error
    return attestation


def _decided(attestation: Attestation, *, user: User) -> Attestation:
    """The answer, locked, still waiting for a decision that `user` may make."""
    project_action_check(
        user=user,
        project_id=attestation.criterion.project_id,
        action=Action.CRITERIA_MANAGE,
        refusal=_DECIDE,
    )
    locked = (
        Attestation.objects.select_for_update(of=("self",))
        .select_related("criterion__project", "criterion__answerer")
        .get(pk=attestation.pk)
    )
    if locked.status != A.SUBMITTED:
        raise InvalidInput(
            f"This answer was already {A(locked.status).label.lower()}; "
            "only an answer waiting for a decision is accepted or sent back."
        )
    return locked


@transaction.atomic
def attestation_accept(
    *, attestation: Attestation, user: User, note: str = "", today: datetime.date | None = None
) -> Attestation:
    """Accept an answer: it holds for the criterion's validity days from today, and the
    criterion's open finding is verified."""
    attestation = _decided(attestation, user=user)
    criterion = attestation.criterion
    today = today or timezone.localdate()
    attestation.status = A.ACCEPTED
    attestation.decided_by = user
    attestation.decided_at = timezone.now()
    attestation.decision_note = note.strip()
    attestation.valid_until = today + datetime.timedelta(days=criterion.validity_days or 0)
    attestation.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "valid_until"]
    )
    status_change_record(
        subject=attestation,
        project_id=criterion.project_id,
        from_status=A.SUBMITTED,
        to_status=A.ACCEPTED,
        actor_id=user.pk,
        reason=f"valid until {attestation.valid_until}" + (f": {note.strip()}" if note else ""),
    )
    process_finding_pass(
        criterion=criterion,
        reason=f"answer {attestation.pk} to {criterion.code} accepted, valid until "
        f"{attestation.valid_until}",
        actor_id=user.pk,
        today=today,
    )
    return attestation


@transaction.atomic
def attestation_refuse(*, attestation: Attestation, user: User, reason: str) -> Attestation:
    """Send an answer back, saying why: it counts as failing, and the criterion's finding
    opens (or reopens) with the reason."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the answer is sent back.", field="reason")
    attestation = _decided(attestation, user=user)
    criterion = attestation.criterion
    attestation.status = A.REFUSED
    attestation.decided_by = user
    attestation.decided_at = timezone.now()
    attestation.decision_note = reason
    attestation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    status_change_record(
        subject=attestation,
        project_id=criterion.project_id,
        from_status=A.SUBMITTED,
        to_status=A.REFUSED,
        actor_id=user.pk,
        reason=reason,
    )
    process_finding_fail(
        criterion=criterion,
        reason=f"the answer to {criterion.code} was sent back: {reason}",
        actor_id=user.pk,
    )
    return attestation


def attestations_expire(*, today: datetime.date | None = None) -> int:
    """Mark expired every accepted answer whose validity ended before today, and open or
    reopen the finding of each criterion left without a valid answer; returns how many
    answers expired. A second call the same day changes nothing."""
    today = today or timezone.localdate()
    due = Attestation.objects.filter(status=A.ACCEPTED, valid_until__lt=today)
    expired = 0
    for attestation_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            attestation = (
                Attestation.objects.select_for_update(of=("self",))
                .select_related("criterion__project", "criterion__answerer")
                .get(pk=attestation_id)
            )
            valid_until = attestation.valid_until
            if attestation.status != A.ACCEPTED or valid_until is None or valid_until >= today:
                continue  # changed meanwhile
            attestation.status = A.EXPIRED
            attestation.save(update_fields=["status"])
            criterion = attestation.criterion
            status_change_record(
                subject=attestation,
                project_id=criterion.project_id,
                from_status=A.ACCEPTED,
                to_status=A.EXPIRED,
                actor_id=None,
                reason=f"valid until {valid_until}",
            )
            # A newer acceptance still holding makes this one's end harmless.
            if process_criterion_state(criterion, today=today).status != ProcessStatus.SATISFIED:
                process_finding_fail(
                    criterion=criterion,
                    reason=f"the accepted answer to {criterion.code} expired: it was valid "
                    f"until {valid_until}",
                    actor_id=None,
                    today=today,
                )
            expired += 1
    return expired
