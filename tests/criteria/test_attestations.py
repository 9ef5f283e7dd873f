"""Answers to process criteria: submitted by the answerer, accepted or sent back by the
quality manager, expired by the periodic service; each decision moves the criterion's
finding like a check's outcome moves a check's finding."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import ProjectRole
from apps.audit.models import StatusChange
from apps.criteria.models import AttestationStatus, ProcessStatus
from apps.criteria.selectors import process_criterion_state, process_states_for_project
from apps.criteria.services_attestations import (
    attestation_accept,
    attestation_refuse,
    attestation_submit,
    attestations_expire,
)
from apps.findings.models import Finding, FindingSource, FindingStatus
from apps.findings.services import finding_transition
from qualiti.errors import InvalidInput, NotFound, PermissionRefused, TooLarge
from tests.criteria.factories import CriterionFactory, ProcessCriterionFactory
from tests.factories import MembershipFactory
from tests.findings.factories import ProjectCast
from tests.support.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_on_collection_day")]


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.fixture
def criterion(cast):
    return ProcessCriterionFactory(project=cast.project, validity_days=30)


def submit(criterion, user, **fields):
    fields.setdefault("evidence_url", "https://docs.example.com/intended-use")
    return attestation_submit(
        criterion=criterion, user=user, answer="Yes, approved on 2 May.", **fields
    )


def the_finding(criterion) -> Finding:
    return Finding.objects.get(criterion=criterion)


def test_a_developer_submits_an_answer_with_a_link_and_it_waits_for_a_decision(cast, criterion):
    attestation = submit(criterion, cast.dev)

    assert attestation.status == AttestationStatus.SUBMITTED
    assert attestation.submitted_by == cast.dev
    assert process_criterion_state(criterion).status == ProcessStatus.PENDING
    assert StatusChange.objects.filter(object_id=attestation.pk, to_status="submitted").exists()
    assert not Finding.objects.filter(criterion=criterion).exists()


def test_an_answer_may_carry_a_file_as_evidence(cast, criterion):
    evidence = SimpleUploadedFile("intended-use.pdf", b"%PDF-1.7 approved", "application/pdf")

    attestation = submit(criterion, cast.dev, evidence_file=evidence, evidence_url="")

    assert attestation.evidence_name == "intended-use.pdf"
    assert attestation.evidence_size == len(b"%PDF-1.7 approved")
    assert attestation.evidence_file.read() == b"%PDF-1.7 approved"


def test_an_answer_without_the_evidence_expected_is_refused_naming_it(cast):
    wants_file = ProcessCriterionFactory(project=cast.project, evidence_expected="file")
    wants_either = ProcessCriterionFactory(project=cast.project)

    with pytest.raises(InvalidInput, match="expects a file") as error:
        submit(wants_file, cast.dev)
    assert error.value.field == "evidence_file"
    with pytest.raises(InvalidInput, match="a file or give a link"):
        submit(wants_either, cast.dev, evidence_url="")


def test_an_evidence_file_over_the_limit_is_refused_as_too_large(cast, criterion, settings):
    settings.QUALITI_MAX_EVIDENCE_BYTES = 10
    evidence = SimpleUploadedFile("big.pdf", b"x" * 11, "application/pdf")

    with pytest.raises(TooLarge) as error:
        submit(criterion, cast.dev, evidence_file=evidence)

    assert error.value.status_code == 413
    assert error.value.field == "evidence_file"


def test_only_the_answerer_may_submit(cast, criterion):
    with pytest.raises(PermissionRefused, match="Only a developer of the project answers"):
        submit(criterion, cast.qm)  # the role named is developer
    with pytest.raises(PermissionRefused):
        submit(criterion, cast.viewer)
    with pytest.raises(NotFound):
        submit(criterion, cast.outsider)


def test_a_named_answerer_is_the_only_one_who_may_submit(cast):
    named = ProcessCriterionFactory(project=cast.project, answerer=cast.other_dev)

    with pytest.raises(PermissionRefused):
        submit(named, cast.dev)
    assert submit(named, cast.other_dev).submitted_by == cast.other_dev


def test_a_measured_criterion_takes_no_answer(cast):
    measured = CriterionFactory(project=cast.project)

    with pytest.raises(InvalidInput, match="measured by a check"):
        submit(measured, cast.dev)


def test_only_one_answer_waits_at_a_time(cast, criterion):
    submit(criterion, cast.dev)

    with pytest.raises(InvalidInput, match="already waiting"):
        submit(criterion, cast.other_dev)


def test_an_accepted_answer_is_valid_for_the_criterions_days_and_satisfies_it(cast, criterion):
    attestation = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)

    assert attestation.status == AttestationStatus.ACCEPTED
    assert (attestation.decided_by, attestation.decided_at is not None) == (cast.qm, True)
    assert attestation.valid_until == TODAY + datetime.timedelta(days=30)
    state = process_criterion_state(criterion)
    assert (state.status, state.attestation) == (ProcessStatus.SATISFIED, attestation)


def test_a_developer_cannot_accept_or_send_back_an_answer(cast, criterion):
    attestation = submit(criterion, cast.dev)

    with pytest.raises(PermissionRefused, match="quality manager"):
        attestation_accept(attestation=attestation, user=cast.dev)
    with pytest.raises(PermissionRefused):
        attestation_refuse(attestation=attestation, user=cast.dev, reason="no")
    with pytest.raises(NotFound):
        attestation_accept(attestation=attestation, user=cast.outsider)


def test_an_admin_may_accept_and_a_decision_is_made_once(cast, criterion):
    attestation = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.admin)

    with pytest.raises(InvalidInput, match="already accepted"):
        attestation_accept(attestation=attestation, user=cast.qm)


def test_sending_back_needs_a_reason_and_opens_the_finding_with_it(cast, criterion):
    attestation = submit(criterion, cast.dev)
    with pytest.raises(InvalidInput) as error:
        attestation_refuse(attestation=attestation, user=cast.qm, reason="  ")
    assert error.value.field == "reason"

    refused = attestation_refuse(
        attestation=attestation, user=cast.qm, reason="The approval signature is missing."
    )

    assert (refused.status, refused.decision_note) == (
        AttestationStatus.REFUSED,
        "The approval signature is missing.",
    )
    finding = the_finding(criterion)
    assert finding.status == FindingStatus.OPEN
    assert finding.source == FindingSource.PROCESS
    assert (finding.severity, finding.category) == (criterion.severity, criterion.category)
    assert "The approval signature is missing." in finding.description
    assert finding.remediation == criterion.guidance
    assert finding.actions.get().description == criterion.guidance
    assert finding.check_key == "" and finding.first_seen_run is None
    assert process_criterion_state(criterion).status == ProcessStatus.FAILING


def test_an_accepted_answer_verifies_the_finding_a_refusal_opened(cast, criterion):
    attestation_refuse(attestation=submit(criterion, cast.dev), user=cast.qm, reason="Unsigned.")

    attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)

    finding = the_finding(criterion)
    assert finding.status == FindingStatus.VERIFIED
    assert finding.closed_at is not None
    last = StatusChange.objects.filter(object_id=finding.pk, to_status="verified").get()
    assert last.actor == cast.qm and "accepted" in last.reason


def test_a_refusal_after_a_verification_reopens_the_same_finding(cast, criterion):
    attestation_refuse(attestation=submit(criterion, cast.dev), user=cast.qm, reason="Unsigned.")
    attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)

    attestation_refuse(attestation=submit(criterion, cast.dev), user=cast.qm, reason="Outdated.")

    assert Finding.objects.filter(criterion=criterion).count() == 1
    finding = the_finding(criterion)
    assert finding.status == FindingStatus.OPEN
    assert StatusChange.objects.filter(
        object_id=finding.pk, from_status="verified", to_status="open", reason__contains="Outdated"
    ).exists()


def test_a_refusal_while_the_finding_is_in_progress_leaves_it_there_and_says_why(cast, criterion):
    attestation_refuse(attestation=submit(criterion, cast.dev), user=cast.qm, reason="Unsigned.")
    finding = the_finding(criterion)
    finding_transition(
        finding=finding, user=cast.dev, to=FindingStatus.IN_PROGRESS, version=finding.version
    )

    attestation_refuse(attestation=submit(criterion, cast.dev), user=cast.qm, reason="Blurry.")

    assert the_finding(criterion).status == FindingStatus.IN_PROGRESS
    assert StatusChange.objects.filter(
        object_id=finding.pk, to_status="in_progress", reason__contains="Blurry"
    ).exists()


def test_a_criterion_never_answered_opens_no_finding_and_reads_unanswered(cast, criterion):
    assert attestations_expire(today=TODAY + datetime.timedelta(days=400)) == 0

    assert process_criterion_state(criterion).status == ProcessStatus.UNANSWERED
    assert process_criterion_state(criterion).attestation is None
    assert not Finding.objects.filter(criterion=criterion).exists()


def test_the_expiry_marks_an_answer_past_its_validity_expired_and_opens_the_finding(
    cast, criterion
):
    attestation = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)
    last_valid_day = attestation.valid_until

    assert attestations_expire(today=last_valid_day) == 0  # still valid on its last day
    assert attestations_expire(today=last_valid_day + datetime.timedelta(days=1)) == 1
    assert attestations_expire(today=last_valid_day + datetime.timedelta(days=1)) == 0

    attestation.refresh_from_db()
    assert attestation.status == AttestationStatus.EXPIRED
    finding = the_finding(criterion)
    assert finding.status == FindingStatus.OPEN
    assert "expired" in finding.description
    later = last_valid_day + datetime.timedelta(days=1)
    assert process_criterion_state(criterion, today=later).status == ProcessStatus.FAILING


def test_the_expiry_reopens_a_finding_the_accepted_answer_had_verified(cast, criterion):
    attestation_refuse(attestation=submit(criterion, cast.dev), user=cast.qm, reason="Unsigned.")
    accepted = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)
    assert the_finding(criterion).status == FindingStatus.VERIFIED

    attestations_expire(today=accepted.valid_until + datetime.timedelta(days=1))

    finding = the_finding(criterion)
    assert finding.status == FindingStatus.OPEN
    assert StatusChange.objects.filter(
        object_id=finding.pk, from_status="verified", to_status="open", actor=None
    ).exists()


def test_a_newer_acceptance_still_valid_makes_an_older_expiry_harmless(cast, criterion):
    old = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)
    criterion.validity_days = 365
    criterion.save()
    renewal = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)
    day_after = old.valid_until + datetime.timedelta(days=1)

    assert attestations_expire(today=day_after) == 1

    state = process_criterion_state(criterion, today=day_after)
    assert (state.status, state.attestation) == (ProcessStatus.SATISFIED, renewal)
    assert not Finding.objects.filter(criterion=criterion).exists()


def test_a_renewal_waiting_beside_a_valid_acceptance_leaves_the_criterion_satisfied(
    cast, criterion
):
    accepted = attestation_accept(attestation=submit(criterion, cast.dev), user=cast.qm)
    submit(criterion, cast.dev)

    state = process_criterion_state(criterion)
    assert (state.status, state.attestation) == (ProcessStatus.SATISFIED, accepted)


def test_the_project_states_come_in_a_fixed_number_of_queries(
    cast, criterion, django_assert_num_queries
):
    others = [ProcessCriterionFactory(project=cast.project) for _ in range(3)]
    CriterionFactory(project=cast.project)  # measured: not in the states
    attestation_accept(attestation=submit(others[0], cast.dev), user=cast.qm)
    attestation_refuse(attestation=submit(others[1], cast.dev), user=cast.qm, reason="No.")
    submit(others[2], cast.dev)

    with django_assert_num_queries(2):
        states = process_states_for_project(project_id=cast.project.pk)

    assert {pk: state.status for pk, state in states.items()} == {
        criterion.pk: ProcessStatus.UNANSWERED,
        others[0].pk: ProcessStatus.SATISFIED,
        others[1].pk: ProcessStatus.FAILING,
        others[2].pk: ProcessStatus.PENDING,
    }
    assert states[others[1].pk].attestation.decision_note == "No."


def test_a_quality_manager_answers_a_question_put_to_quality_managers(cast):
    for_qm = ProcessCriterionFactory(project=cast.project, answered_by_role="quality_manager")
    MembershipFactory(project=cast.project, role=ProjectRole.QUALITY_MANAGER)

    assert submit(for_qm, cast.qm).submitted_by == cast.qm
    with pytest.raises(PermissionRefused):
        submit(for_qm, cast.dev)
