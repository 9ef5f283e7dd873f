"""/api/v1/attestations/ and the process fields of /api/v1/criteria/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.criteria.models import Attestation, AttestationStatus, Criterion
from apps.findings.models import Finding, FindingStatus
from tests.criteria.factories import ProcessCriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db

ATTESTATIONS = "/api/v1/attestations/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.fixture
def criterion(cast):
    return ProcessCriterionFactory(project=cast.project, code="PROC-01")


def upload(criterion, content=b"%PDF-1.7 approved", name="intended use.pdf") -> dict:
    return {
        "criterion": criterion.pk,
        "answer": "Approved by the owner on 2 May.",
        "evidence_file": SimpleUploadedFile(name, content, "application/pdf"),
    }


def test_the_answerer_submits_an_answer_with_a_file(cast, criterion):
    response = client_for(cast.dev).post(ATTESTATIONS, upload(criterion), format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["criterion_code"], body["project"]) == (
        "submitted",
        "PROC-01",
        cast.project.slug,
    )
    assert body["evidence_name"] == "intended use.pdf"
    assert body["evidence_download"] == f"{ATTESTATIONS}{body['id']}/evidence/"


def test_an_answer_with_a_link_may_be_sent_as_json(cast, criterion):
    response = client_for(cast.dev).post(
        ATTESTATIONS,
        {"criterion": criterion.pk, "answer": "Yes.", "evidence_url": "https://wiki.example/u"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["evidence_download"] is None


def test_an_answer_without_evidence_answers_400_naming_the_field(cast, criterion):
    response = client_for(cast.dev).post(
        ATTESTATIONS, {"criterion": criterion.pk, "answer": "Yes."}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "evidence_file"
    assert not Attestation.objects.exists()


def test_a_too_large_evidence_file_answers_413(cast, criterion, settings):
    settings.QUALITI_MAX_EVIDENCE_BYTES = 100

    small_body = client_for(cast.dev).post(
        ATTESTATIONS, upload(criterion, b"x" * 101), format="multipart"
    )
    settings.QUALITI_MAX_EVIDENCE_BYTES = 1
    large_body = client_for(cast.dev).post(
        ATTESTATIONS, upload(criterion, b"x" * 200_000), format="multipart"
    )

    assert small_body.status_code == 413  # the file, judged by the service
    assert large_body.status_code == 413  # the body, judged from its Content-Length
    assert "QUALITI_MAX_EVIDENCE_BYTES" in large_body.json()["detail"]
    assert not Attestation.objects.exists()


def test_only_the_answerer_submits_and_an_outsider_does_not_find_the_criterion(cast, criterion):
    qm = client_for(cast.qm).post(ATTESTATIONS, upload(criterion), format="multipart")
    outsider = client_for(cast.outsider).post(ATTESTATIONS, upload(criterion), format="multipart")

    assert qm.status_code == 403
    assert outsider.status_code == 400
    assert "criterion" in outsider.json()
    assert not Attestation.objects.exists()


def submitted(cast, criterion) -> int:
    response = client_for(cast.dev).post(ATTESTATIONS, upload(criterion), format="multipart")
    return response.json()["id"]


def test_the_quality_manager_accepts_and_a_developer_may_not(cast, criterion):
    pk = submitted(cast, criterion)

    refused = client_for(cast.dev).post(f"{ATTESTATIONS}{pk}/accept/", {}, format="json")
    accepted = client_for(cast.qm).post(
        f"{ATTESTATIONS}{pk}/accept/", {"note": "Signed copy."}, format="json"
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["valid_until"] is not None


def test_sending_back_needs_a_reason_and_opens_the_finding(cast, criterion):
    pk = submitted(cast, criterion)

    without = client_for(cast.qm).post(f"{ATTESTATIONS}{pk}/refuse/", {}, format="json")
    refused = client_for(cast.qm).post(
        f"{ATTESTATIONS}{pk}/refuse/", {"reason": "The signature is missing."}, format="json"
    )

    assert without.status_code == 400
    assert refused.status_code == 200
    assert refused.json()["decision_note"] == "The signature is missing."
    assert Finding.objects.get(criterion=criterion).status == FindingStatus.OPEN


def test_the_evidence_downloads_as_an_attachment_for_members_only(cast, criterion):
    pk = submitted(cast, criterion)

    response = client_for(cast.viewer).get(f"{ATTESTATIONS}{pk}/evidence/")
    hidden = client_for(cast.outsider).get(f"{ATTESTATIONS}{pk}/evidence/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "intended%20use.pdf" in response["Content-Disposition"] or (
        "intended use.pdf" in response["Content-Disposition"]
    )
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 approved"
    assert hidden.status_code == 404


def test_an_answer_with_a_link_only_has_no_evidence_file_to_download(cast, criterion):
    answer = Attestation.objects.create(
        criterion=criterion, answer="Yes.", evidence_url="https://wiki.example/u"
    )

    response = client_for(cast.qm).get(f"{ATTESTATIONS}{answer.pk}/evidence/")

    assert response.status_code == 404


def test_the_list_shows_only_answers_of_visible_projects(cast, criterion):
    mine = Attestation.objects.create(criterion=criterion, answer="Yes.")
    elsewhere = Attestation.objects.create(criterion=ProcessCriterionFactory(), answer="Yes.")

    listed = client_for(cast.viewer).get(ATTESTATIONS, {"status": "submitted"}).json()

    assert [item["id"] for item in listed["results"]] == [mine.pk]
    assert elsewhere.pk not in {item["id"] for item in listed["results"]}
    assert client_for(cast.outsider).get(f"{ATTESTATIONS}{mine.pk}/").status_code == 404


def test_criteria_and_templates_show_their_kind_and_process_fields(cast, criterion):
    criterion_body = client_for(cast.viewer).get(f"/api/v1/criteria/{criterion.pk}/").json()
    templates = client_for(cast.viewer).get(
        "/api/v1/criterion-templates/", {"kind": "process", "limit": 100}
    )

    assert criterion_body["kind"] == "process"
    assert criterion_body["question"] == criterion.question
    assert criterion_body["answered_by_role"] == "developer"
    assert criterion_body["validity_days"] == criterion.validity_days
    assert criterion_body["check_key"] == "" and criterion_body["threshold"] is None
    codes = {template["code"] for template in templates.json()["results"]}
    assert "PROC-01" in codes and all(code.startswith("PROC-") for code in codes)


def test_a_process_criterion_is_created_from_scratch_with_its_own_fields(cast):
    body = {
        "project": cast.project.slug,
        "code": "PROC-X",
        "name": "Oversight",
        "category": "governance",
        "kind": "process",
        "question": "Who can stop the system?",
        "answered_by_role": "quality_manager",
        "evidence_expected": "link",
        "validity_days": 180,
        "severity": "high",
        "rationale": "r",
        "guidance": "g",
    }

    missing = client_for(cast.qm).post("/api/v1/criteria/", {**body, "question": ""}, format="json")
    created = client_for(cast.qm).post("/api/v1/criteria/", body, format="json")

    assert missing.status_code == 400 and "question" in missing.json()
    assert created.status_code == 201, created.json()
    assert Criterion.objects.get(code="PROC-X").kind == "process"


def test_accepting_twice_answers_400(cast, criterion):
    pk = submitted(cast, criterion)
    client_for(cast.qm).post(f"{ATTESTATIONS}{pk}/accept/", {}, format="json")

    again = client_for(cast.qm).post(f"{ATTESTATIONS}{pk}/accept/", {}, format="json")

    assert again.status_code == 400
    assert Attestation.objects.get(pk=pk).status == AttestationStatus.ACCEPTED
