"""A signed report printed by Chromium, end to end (issue 15, done when): its PDF text names
the signer and carries the analysis; the stored PDF verifies, the same file with one byte
changed does not, and after a newer run of the same plan it still verifies and says which
run it reports."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.management import call_command

from apps.reports.inputs import sha256_hex
from apps.reports.services_signing import run_report_sign
from tests.reports.signing_setup import SigningSetup
from tests.support.browser import requires_chromium

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.browser,
    requires_chromium,
]


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def verify(path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_report", str(path), stdout=out, stderr=io.StringIO())
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_signed_pdf_names_its_signer_and_verifies_until_a_byte_changes(tmp_path):
    setup = SigningSetup()
    setup.qm.first_name, setup.qm.last_name = "Quinn", "Marsh"
    setup.qm.save()
    setup.analysis(
        text="Recall falls short on the evaluation data; retrain before release.",
        conclusion="release_with_conditions",
        conditions="Recall of at least 0.72 on the next run.",
    )

    report = run_report_sign(run=setup.run, user=setup.qm)

    data = report.pdf.read()
    assert sha256_hex(data) == report.pdf_sha256
    text = pdf_text(data)
    assert re.search(rf"Signed by Quinn Marsh \({setup.qm.username}\) on \d{{4}}-\d\d-\d\d", text)
    assert "concluding: Release with conditions" in text
    assert "Recall falls short on the evaluation data; retrain before release." in text
    assert "Recall of at least 0.72 on the next run." in text
    assert f"The signature is about run {setup.run.pk}" in text

    signed = tmp_path / "signed.pdf"
    signed.write_bytes(data)
    status, out = verify(signed)
    assert status == 0, out
    assert f"VALID: signed report {report.pk} of run {setup.run.pk}" in out
    assert "signed by Quinn Marsh" in out

    altered = tmp_path / "altered.pdf"
    middle = len(data) // 2
    altered.write_bytes(data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1 :])
    status, out = verify(altered)
    assert status == 1
    assert "NOT a signed report of this instance" in out

    newer = setup.finished_run(setup.newer_version("v2"))
    newer.created_at = setup.run.created_at + datetime.timedelta(hours=1)
    newer.save()
    status, out = verify(signed)
    assert status == 0
    assert f"reports run {setup.run.pk}" in out
    assert f"Newer runs of plan Gate since run {setup.run.pk}: run {newer.pk}" in out
