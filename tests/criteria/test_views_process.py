"""The pages of process criteria: their state in the list, the question and answers on the
criterion's page, the answerer's form, the quality manager's decision, the evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from apps.criteria.models import Attestation, AttestationStatus, Criterion, CriterionTemplate
from apps.criteria.services_attestations import attestation_accept, attestation_submit
from apps.findings.models import Finding, FindingStatus
from tests.criteria.factories import ProcessCriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


@pytest.fixture
def criterion(cast) -> Criterion:
    return ProcessCriterionFactory(
        project=cast.project, code="PROC-01", question="Is the intended use approved?"
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, cast: ProjectCast, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def answered(cast, criterion, content=b"%PDF-1.7 approved") -> Attestation:
    return attestation_submit(
        criterion=criterion,
        user=cast.dev,
        answer="Approved on 2 May.",
        evidence_file=SimpleUploadedFile("use.pdf", content, "application/pdf"),
    )


def test_the_list_shows_who_answers_and_the_state(cast, criterion):
    attestation_accept(attestation=answered(cast, criterion), user=cast.qm)

    body = client_for(cast.viewer).get(url("criteria-list", cast)).content.decode()

    assert "PROC-01" in body
    assert "Developer" in body
    assert 'process-state process-state-satisfied">Satisfied' in body


def test_the_answerer_sees_the_question_and_the_form_and_a_viewer_only_reads(cast, criterion):
    page = client_for(cast.dev).get(url("criterion-edit", cast, criterion.pk)).content.decode()
    read_only = client_for(cast.viewer).get(url("criterion-edit", cast, criterion.pk))

    assert "Is the intended use approved?" in page
    assert "Answer the question" in page and 'enctype="multipart/form-data"' in page
    assert 'for="id_answer"' in page and 'for="id_evidence_file"' in page
    assert "Not answered yet" in page
    assert "Answer the question" not in read_only.content.decode()
    assert "Nobody has answered yet." in read_only.content.decode()


def test_the_answerer_answers_with_a_file_on_the_page(cast, criterion):
    response = client_for(cast.dev).post(
        url("attestation-submit", cast, criterion.pk),
        {
            "answer": "Approved by the owner.",
            "evidence_file": SimpleUploadedFile("use.pdf", b"%PDF", "application/pdf"),
        },
        follow=True,
    )

    attestation = Attestation.objects.get()
    assert attestation.status == AttestationStatus.SUBMITTED
    assert attestation.evidence_name == "use.pdf"
    assert "sent to the quality manager" in response.content.decode()
    assert "waiting for the quality manager" in response.content.decode()


def test_an_answer_without_evidence_comes_back_with_the_error_beside_the_file(cast, criterion):
    response = client_for(cast.dev).post(
        url("attestation-submit", cast, criterion.pk), {"answer": "Yes."}
    )

    assert response.status_code == 400
    assert "attach a file or give a link" in response.content.decode()
    assert not Attestation.objects.exists()


def test_a_too_large_evidence_file_is_refused_on_the_page_with_413(cast, criterion, settings):
    settings.QUALITI_MAX_EVIDENCE_BYTES = 1

    response = client_for(cast.dev).post(
        url("attestation-submit", cast, criterion.pk),
        {"answer": "Yes.", "evidence_file": SimpleUploadedFile("big.pdf", b"x" * 100_000)},
    )

    assert response.status_code == 413
    assert "QUALITI_MAX_EVIDENCE_BYTES" in response.content.decode()
    assert not Attestation.objects.exists()


def test_someone_who_does_not_answer_is_refused(cast, criterion):
    response = client_for(cast.viewer).post(
        url("attestation-submit", cast, criterion.pk),
        {"answer": "Yes.", "evidence_url": "https://wiki.example/use"},
    )

    assert response.status_code == 403
    assert not Attestation.objects.exists()


def test_the_quality_manager_sees_the_decision_forms_and_a_developer_does_not(cast, criterion):
    answered(cast, criterion)

    qm_page = client_for(cast.qm).get(url("criterion-edit", cast, criterion.pk)).content.decode()
    dev_page = client_for(cast.dev).get(url("criterion-edit", cast, criterion.pk)).content.decode()

    assert "Accept the answer" in qm_page and "Send it back" in qm_page
    assert "Accept the answer" not in dev_page
    assert "waiting for the quality manager" in dev_page


def test_a_developer_may_not_accept(cast, criterion):
    attestation = answered(cast, criterion)

    response = client_for(cast.dev).post(
        url("attestation-accept", cast, criterion.pk, attestation.pk), {"note": ""}
    )

    assert response.status_code == 403
    attestation.refresh_from_db()
    assert attestation.status == AttestationStatus.SUBMITTED


def test_sending_back_without_a_reason_is_refused_beside_the_field(cast, criterion):
    attestation = answered(cast, criterion)

    response = client_for(cast.qm).post(
        url("attestation-refuse", cast, criterion.pk, attestation.pk), {"reason": ""}
    )

    assert response.status_code == 400
    assert 'id="id_reason"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_quality_manager_sends_back_and_the_finding_opens(cast, criterion):
    attestation = answered(cast, criterion)

    response = client_for(cast.qm).post(
        url("attestation-refuse", cast, criterion.pk, attestation.pk),
        {"reason": "The signature is missing."},
        follow=True,
    )

    assert "its finding is open" in response.content.decode()
    assert "The signature is missing." in response.content.decode()
    assert Finding.objects.get(criterion=criterion).status == FindingStatus.OPEN


def test_the_quality_manager_accepts_on_the_page(cast, criterion):
    attestation = answered(cast, criterion)

    response = client_for(cast.qm).post(
        url("attestation-accept", cast, criterion.pk, attestation.pk),
        {"note": "Signed copy seen."},
        follow=True,
    )

    attestation.refresh_from_db()
    assert attestation.status == AttestationStatus.ACCEPTED
    assert "holds until" in response.content.decode()


def test_the_evidence_downloads_as_an_attachment_only_for_those_who_see_the_project(
    cast, criterion
):
    attestation = answered(cast, criterion)
    evidence = url("attestation-evidence", cast, criterion.pk, attestation.pk)

    response = client_for(cast.viewer).get(evidence)
    hidden = client_for(cast.outsider).get(evidence)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="use.pdf"')
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 approved"
    assert hidden.status_code == 404


def test_an_outsider_finds_no_criterion_page(cast, criterion):
    response = client_for(cast.outsider).get(url("criterion-edit", cast, criterion.pk))

    assert response.status_code == 404


def test_the_quality_manager_creates_a_process_criterion_on_the_page(cast):
    data = {
        "code": "PROC-X",
        "name": "Oversight defined",
        "category": "governance",
        "kind": "process",
        "question": "Who can stop the system, and how?",
        "answered_by_role": "quality_manager",
        "answerer": str(cast.dev.pk),
        "evidence_expected": "link",
        "validity_days": "180",
        "severity": "high",
        "rationale": "People must be able to step in.",
        "guidance": "Write the procedure and test it.",
        "check_key": "drift.columns",  # ignored: a process criterion names no check
    }

    missing = client_for(cast.qm).post(url("criterion-create", cast), {**data, "question": ""})
    created = client_for(cast.qm).post(url("criterion-create", cast), data)

    assert missing.status_code == 400
    assert "A criterion of this kind needs this field." in missing.content.decode()
    assert created.status_code == 302
    criterion = Criterion.objects.get(code="PROC-X")
    assert (criterion.kind, criterion.check_key, criterion.answerer) == ("process", "", cast.dev)


def test_the_editor_groups_the_fields_of_each_kind(cast):
    body = client_for(cast.qm).get(url("criterion-create", cast)).content.decode()

    assert "<legend>Kind</legend>" in body
    assert "<legend>Measured by a check</legend>" in body
    assert "<legend>Answered by a person</legend>" in body


def test_the_catalogue_shows_process_templates_with_their_question_and_adds_one(cast):
    catalogue = client_for(cast.qm).get(url("criterion-catalogue", cast), {"q": "intended use"})
    template = CriterionTemplate.objects.get(code="PROC-01")

    added = client_for(cast.qm).post(
        url("criteria-add-from-templates", cast), {"template": [template.pk]}
    )

    body = catalogue.content.decode()
    assert "Governance and process" in body
    assert escape(template.question) in body
    assert "Answered by a quality manager, valid 365 days" in body
    assert added.status_code == 302
    criterion = Criterion.objects.get(project=cast.project, code="PROC-01")
    assert (criterion.kind, criterion.template_version) == ("process", template.version)
