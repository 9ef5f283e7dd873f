"""The process criterion's part of its page: its question, who answers, the evidence it
expects and how long an answer holds; its state and answers; the answerer's form and the
quality manager's decision forms. The pages that post them are in views_attestations."""

from typing import Any

from django.forms import Form

from apps.accounts.models import User
from apps.criteria.forms import AttestationAcceptForm, AttestationForm, AttestationRefuseForm
from apps.criteria.models import AttestationStatus, Criterion
from apps.criteria.selectors import attestation_list_for_criterion, process_state_judge
from apps.criteria.services_attestations import (
    answerer_words,
    attestation_may_decide,
    attestation_may_submit,
    evidence_limit_bytes,
)

ANSWERS_SHOWN = 20


def process_page_context(
    user: User,
    criterion: Criterion,
    *,
    answer_form: Form | None = None,
    accept_form: Form | None = None,
    refuse_form: Form | None = None,
) -> dict[str, Any]:
    answers = list(attestation_list_for_criterion(criterion_id=criterion.pk))
    waiting = next((a for a in answers if a.status == AttestationStatus.SUBMITTED), None)
    may_submit = attestation_may_submit(user=user, criterion=criterion)
    return {
        "process_state": process_state_judge(answers),
        "answers": answers[:ANSWERS_SHOWN],
        "answers_hidden": max(0, len(answers) - ANSWERS_SHOWN),
        "waiting": waiting,
        "answerer_words": answerer_words(criterion),
        "may_submit": may_submit and waiting is None,
        "may_decide": waiting is not None
        and attestation_may_decide(user=user, criterion=criterion),
        "answer_form": answer_form or AttestationForm(),
        "accept_form": accept_form or AttestationAcceptForm(),
        "refuse_form": refuse_form or AttestationRefuseForm(),
        "evidence_limit": evidence_limit_bytes(),
    }
