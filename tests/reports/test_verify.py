"""Verifying a report file: `manage.py verify_report FILE` and the verify page say whether
it is a signed report of this instance, unaltered, and which; one byte changed and it is
not. The page names only reports of projects the user may see."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.reports.models import Report
from tests.reports.signing_setup import SigningSetup, signed_report_row

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 a signed run report\n%%EOF\n"
HTML = b"<!doctype html><title>Run report</title><p>Signed by qm</p>"


def one_byte_changed(data: bytes) -> bytes:
    return data[:10] + bytes([data[10] ^ 1]) + data[11:]


def verify_command(path) -> tuple[int, str, str]:
    """Run the command; its exit status, output and errors."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_report", str(path), stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = int(exit.code or 0)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def signed():
    setup = SigningSetup()
    report = signed_report_row(setup.run, signer=setup.qm, html=HTML, pdf=PDF)
    return setup, report


def test_the_command_recognises_a_signed_pdf_and_names_its_run(signed, tmp_path):
    setup, report = signed
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)

    status, out, _ = verify_command(path)

    assert status == 0
    moment = timezone.localtime(report.signed_at).strftime("%Y-%m-%d %H:%M %Z")
    assert (
        f"VALID: signed report {report.pk} of run {setup.run.pk} (project {setup.project.name}, "
        f"model version v1), signed by {setup.qm.username} on {moment}; reports run "
        f"{setup.run.pk}"
    ) in out
    assert "The file is the PDF of the signed report exactly as stored" in out
    assert "Conclusion: Do not release." in out


def test_the_command_recognises_the_signed_html_too(signed, tmp_path):
    path = tmp_path / "report.html"
    path.write_bytes(HTML)

    status, out, _ = verify_command(path)

    assert status == 0
    assert "The file is the HTML of the signed report" in out


def test_one_byte_changed_is_not_a_signed_report(signed, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(one_byte_changed(PDF))

    status, out, _ = verify_command(path)

    assert status == 1
    assert "NOT a signed report of this instance (sha256 " in out
    assert "VALID" not in out


def test_an_unsigned_report_with_the_same_bytes_does_not_verify(signed, tmp_path):
    _, report = signed
    Report.objects.filter(pk=report.pk).update(signed_at=None, signed_by=None)
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)

    assert verify_command(path)[0] == 1


def test_an_unreadable_file_exits_with_2(tmp_path):
    status, out, err = verify_command(tmp_path / "missing.pdf")

    assert status == 2
    assert "Cannot read" in err and "missing.pdf" in err
    assert out == ""


def test_after_a_newer_run_of_the_plan_the_signed_report_still_names_its_own_run(signed, tmp_path):
    setup, report = signed
    newer = setup.finished_run(setup.newer_version("v2"))
    newer.created_at = setup.run.created_at + datetime.timedelta(hours=1)
    newer.save()
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)

    status, out, _ = verify_command(path)

    assert status == 0
    assert f"signed report {report.pk} of run {setup.run.pk} (project" in out
    assert f"reports run {setup.run.pk}" in out
    assert (
        f"Newer runs of plan Gate since run {setup.run.pk}: run {newer.pk} (model version v2)"
        in out
    )


def test_a_replaced_report_still_verifies_and_says_what_replaced_it(signed, tmp_path):
    setup, first = signed
    second = signed_report_row(
        setup.run, signer=setup.admin, html=HTML + b" ", pdf=PDF + b" ", replaces=first
    )
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    old.write_bytes(PDF)
    new.write_bytes(PDF + b" ")

    old_status, old_out, _ = verify_command(old)
    new_status, new_out, _ = verify_command(new)

    assert (old_status, new_status) == (0, 0)
    assert f"It was itself replaced by report {second.pk}, signed on" in old_out
    assert f"signed report {second.pk} of run" in new_out
    assert f"It replaces report {first.pk}." in new_out


def upload(client: Client, data: bytes | None, name: str = "report.pdf"):
    body = {"file": SimpleUploadedFile(name, data)} if data is not None else {}
    return client.post(reverse("report-verify"), body)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["viewer", "dev", "manager", "admin"])
def test_the_page_says_which_signed_report_a_file_is(signed, role):
    setup, report = signed

    response = upload(client_for(getattr(setup, role)), PDF)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"VALID: signed report {report.pk} of run {setup.run.pk}" in html
    assert f"reports run {setup.run.pk}" in html


def test_the_page_says_an_altered_file_is_not_a_signed_report(signed):
    setup, _ = signed

    response = upload(client_for(setup.viewer), one_byte_changed(PDF))

    assert response.status_code == 200
    html = response.content.decode()
    assert "NOT a signed report of this instance" in html
    assert "VALID" not in html


def test_the_page_names_no_report_of_a_project_the_user_may_not_see(signed):
    setup, report = signed

    response = upload(client_for(setup.outsider), PDF)

    html = response.content.decode()
    assert "NOT a signed report of this instance" in html
    assert setup.project.name not in html and f"report {report.pk}" not in html


def test_the_page_asks_for_a_file(signed):
    response = upload(client_for(signed[0].viewer), None)

    assert response.status_code == 400
    assert "Choose the report&#x27;s PDF or HTML file to verify." in response.content.decode()


@override_settings(QUALITI_VERIFY_MAX_BYTES=1024)
def test_the_page_refuses_a_file_larger_than_any_report(signed):
    response = upload(client_for(signed[0].viewer), b"x" * 2048)

    assert response.status_code == 400
    assert "a report to verify may be at most" in response.content.decode()


def test_the_page_needs_a_signed_in_user():
    response = Client().get(reverse("report-verify"))

    assert response.status_code == 302
    assert "login" in response["Location"]
