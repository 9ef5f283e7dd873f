"""Signing a run's report: who may, what it needs, what it stores, that signing again makes
a report replacing the previous one, and that a signed report never changes.

The PDF here is a stand-in (printing with Chromium is test_signing_pdf.py's); the HTML is
the real run report."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.reports.inputs import sha256_hex
from apps.reports.models import Report, ReportStatus
from apps.reports.pdf import PdfEngineError
from apps.reports.services import report_files_store, report_generate
from apps.reports.services_signing import run_analysis_save, run_report_sign, signed_report_guard
from qualiti.errors import InvalidInput, NotFound, PermissionRefused
from tests.reports.signing_setup import ANALYSIS, SigningSetup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def printed_without_chromium(monkeypatch):
    """A PDF stand-in: bytes that depend on the HTML, as a printed PDF does."""
    monkeypatch.setattr(
        "apps.reports.services.html_to_pdf",
        lambda html, header: b"%PDF-stand-in " + sha256_hex(html).encode(),
    )


def stored(report: Report) -> tuple[bytes, bytes]:
    with report.html.open("rb") as html, report.pdf.open("rb") as pdf:
        return html.read(), pdf.read()


@pytest.mark.parametrize("role", ["qm", "admin"])
def test_the_quality_manager_or_an_admin_signs_the_report(role):
    setup = SigningSetup()
    setup.analysis(conclusion="release_with_conditions", conditions="Retrain within a month.")
    signer = getattr(setup, role)

    report = run_report_sign(run=setup.run, user=signer)

    assert (report.kind, report.run, report.project) == ("run", setup.run, setup.project)
    assert (report.status, report.signed_by, report.replaces) == ("ready", signer, None)
    assert report.signed_at is not None
    html, pdf = stored(report)
    assert (sha256_hex(html), sha256_hex(pdf)) == (report.html_sha256, report.pdf_sha256)
    text = html.decode()
    assert f"Signed by {signer.username} on " in text
    assert "concluding: <strong>Release with conditions</strong>" in text
    assert "Recall <strong>falls short</strong> of the bar" in text
    assert "Retrain within a month." in text
    assert "ab" * 32 in text  # the model version's sha256, among the signed inputs
    assert f"The signature is about run {setup.run.pk} (plan Gate, version 1" in text


def test_the_signed_report_records_the_sha256_of_every_input_and_the_analysis():
    setup = SigningSetup()
    setup.analysis()

    report = run_report_sign(run=setup.run, user=setup.qm)

    inputs = report.inputs
    assert inputs["model_version"]["sha256"] == "ab" * 32
    assert [dataset["sha256"] for dataset in inputs["datasets"]] == [setup.dataset.sha256]
    assert len(inputs["plan"]["sha256"]) == len(inputs["results"]["sha256"]) == 64
    assert inputs["results"]["count"] == 1
    frozen = inputs["analysis"]
    assert (frozen["text"], frozen["conclusion"], frozen["written_by"]) == (
        ANALYSIS,
        "do_not_release",
        setup.qm.username,
    )
    assert len(frozen["sha256"]) == 64


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("dev", PermissionRefused),
        ("viewer", PermissionRefused),
        ("manager", PermissionRefused),
        ("outsider", NotFound),
    ],
)
def test_others_may_not_sign(role, error):
    setup = SigningSetup()
    setup.analysis()

    with pytest.raises(error):
        run_report_sign(run=setup.run, user=getattr(setup, role))

    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("analysis", "words"),
    [
        (None, "Write the analysis of run"),
        ({"text": ""}, "Write the analysis of run"),
        ({"conclusion": ""}, "Choose a conclusion"),
    ],
)
def test_signing_needs_an_analysis_and_a_conclusion(analysis, words):
    setup = SigningSetup()
    if analysis is not None:
        setup.analysis(**analysis)

    with pytest.raises(InvalidInput, match=words):
        run_report_sign(run=setup.run, user=setup.qm)

    assert not Report.objects.exists()


def test_only_a_run_that_succeeded_is_signed():
    setup = SigningSetup()
    setup.analysis()
    setup.run.status = "failed"
    setup.run.save()

    with pytest.raises(InvalidInput, match="Only a run that succeeded can be signed"):
        run_report_sign(run=setup.run, user=setup.qm)


def test_signing_again_makes_a_report_that_replaces_the_previous_one():
    setup = SigningSetup()
    setup.analysis()
    first = run_report_sign(run=setup.run, user=setup.qm)
    run_analysis_save(
        run=setup.run, user=setup.qm, text="Corrected.", conclusion="release", conditions=""
    )

    second = run_report_sign(run=setup.run, user=setup.admin)

    assert second.replaces == first
    assert second.pk != first.pk and second.html_sha256 != first.html_sha256
    text = stored(second)[0].decode()
    assert f"This report replaces report {first.pk} of " in text
    assert "Corrected." in text
    assert ANALYSIS.split("**")[0] not in text
    first_text = stored(first)[0].decode()
    assert "Corrected." not in first_text and "Recall <strong>falls short</strong>" in first_text


def test_a_signed_report_never_changes_through_the_services():
    setup = SigningSetup()
    setup.analysis()
    report = run_report_sign(run=setup.run, user=setup.qm)
    files_before = stored(report)
    row_before = Report.objects.filter(pk=report.pk).values().get()

    with pytest.raises(InvalidInput, match="signed"):
        report_files_store(report=report, html=b"<p>forged</p>", pdf=b"%PDF forged")
    with pytest.raises(InvalidInput, match=f"Report {report.pk} is signed and never changes"):
        signed_report_guard(report)
    assert report_generate(report_id=report.pk).status == ReportStatus.READY
    run_analysis_save(run=setup.run, user=setup.qm, text="Later.", conclusion="", conditions="")

    report.refresh_from_db()
    assert Report.objects.filter(pk=report.pk).values().get() == row_before
    assert stored(report) == files_before


def test_a_signing_that_cannot_print_signs_nothing(monkeypatch):
    setup = SigningSetup()
    setup.analysis()

    def broken(html, header):
        raise PdfEngineError("Chromium could not print the report: crashed")

    monkeypatch.setattr("apps.reports.services.html_to_pdf", broken)

    with pytest.raises(PdfEngineError, match="crashed"):
        run_report_sign(run=setup.run, user=setup.qm)

    report = Report.objects.get()
    assert (report.status, report.signed_at, report.signed_by, report.pdf_sha256) == (
        ReportStatus.FAILED,
        None,
        None,
        "",
    )
    assert "Signing failed" in report.error


def test_the_api_saves_the_analysis_given_and_signs():
    setup = SigningSetup()
    client = APIClient()
    client.force_authenticate(setup.qm)
    url = f"/api/v1/runs/{setup.run.pk}/sign/"

    refused = client.post(url, {"text": "Fine.", "conclusion": "release_with_conditions"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "conditions"

    response = client.post(
        url, {"text": "Fine.", "conclusion": "release_with_conditions", "conditions": "Watch."}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert body["signed_by"] == setup.qm.username
    assert (body["status"], body["sha256"], body["html_sha256"]) == (
        "ready",
        report.pdf_sha256,
        report.html_sha256,
    )
    assert body["inputs"]["analysis"]["conclusion"] == "release_with_conditions"
    assert body["replaces"] is None
    pdf = client.get(body["pdf_url"])
    assert pdf.status_code == 200
    assert sha256_hex(b"".join(pdf.streaming_content)) == body["sha256"]


def test_the_api_signs_the_saved_analysis_and_names_what_is_missing():
    setup = SigningSetup()
    client = APIClient()
    client.force_authenticate(setup.admin)
    url = f"/api/v1/runs/{setup.run.pk}/sign/"

    missing = client.post(url, {}, format="json")
    assert missing.status_code == 400
    assert "Write the analysis" in missing.json()["detail"]

    setup.analysis()
    assert client.post(url, {}, format="json").status_code == 201


def test_the_sign_button_signs_and_says_so():
    setup = SigningSetup()
    setup.analysis()
    client = Client()
    client.force_login(setup.qm)

    response = client.post(reverse("run-sign", args=[setup.project.slug, setup.run.pk]))

    assert response.status_code == 302
    report = Report.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert f"Report {report.pk} is signed" in page
    assert f"Report {report.pk}, signed by {setup.qm.username} on" in page
    assert reverse("report-file-pdf", args=[setup.project.slug, report.pk]) in page


@pytest.mark.parametrize(("role", "status"), [("dev", 403), ("viewer", 403), ("outsider", 404)])
def test_the_sign_button_refuses_others(role, status):
    setup = SigningSetup()
    setup.analysis()
    client = Client()
    client.force_login(getattr(setup, role))

    response = client.post(reverse("run-sign", args=[setup.project.slug, setup.run.pk]))

    assert response.status_code == status
    assert not Report.objects.exists()
