"""The run report's PDF, printed by Chromium: its text says what the report must say, its
charts are vector, it is stored with the sha256 of its bytes; pictures of its pages go
to tests/artifacts/."""

import hashlib
import io
import os
import re
import shutil
import subprocess

import pypdf
import pytest
from django.test import override_settings

from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.render.words import observed_value, value_text
from apps.reports.services import report_generate
from tests.reports.factories import ANALYSIS_TEXT, MODEL_SHA256, ReportedRun
from tests.support.browser import ARTIFACTS, requires_chromium

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.browser,
    requires_chromium,
]


def generated(reported: ReportedRun) -> Report:
    report = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run, created_by=reported.qm
    )
    return report_generate(report_id=report.pk)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_says_what_the_run_report_must_say():
    reported = ReportedRun()

    report = generated(reported)

    assert report.status == ReportStatus.READY, report.error
    data = report.pdf.read()
    text = pdf_text(data)
    assert MODEL_SHA256 in text
    assert re.search(r"Verdict:\s*Fail", text)
    for code in reported.criteria:
        assert code in text
    for result in reported.failing:
        assert value_text(observed_value(result)) in text
    assert ANALYSIS_TEXT in " ".join(text.split())
    assert reported.project.name in text and "Page 1 of" in text  # header and footer


def test_it_is_stored_with_the_sha256_of_its_bytes():
    report = generated(ReportedRun())

    pdf, html = report.pdf.read(), report.html.read()

    assert pdf.startswith(b"%PDF")
    assert report.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert report.html_sha256 == hashlib.sha256(html).hexdigest()
    assert report.inputs["model_version"]["sha256"] == MODEL_SHA256
    assert report.progress == 100 and report.finished_at is not None


def test_the_charts_stay_vector():
    report = generated(ReportedRun())

    reader = pypdf.PdfReader(io.BytesIO(report.pdf.read()))

    # Vector paths, not one picture per chart: the chart pages draw many path operators.
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert content.count(b" re") + content.count(b" l\n") > 200
    images = sum(len(page.images) for page in reader.pages)
    assert images <= 1  # at most the confusion matrix's heatmap, which plotly draws as one


def test_pictures_of_the_pdf_pages():
    if shutil.which("pdftoppm") is None and not os.environ.get("CI"):  # CI installs it
        pytest.skip("pdftoppm is not installed (apt-get install -y poppler-utils)")
    report = generated(ReportedRun())
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("run-report-pdf-page-*.png"):
        old.unlink()

    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", report.pdf.path, str(ARTIFACTS / "run-report-pdf-page")],
        check=True,
        timeout=120,
    )

    pages = len(pypdf.PdfReader(report.pdf.path).pages)
    assert len(list(ARTIFACTS.glob("run-report-pdf-page-*.png"))) == pages


@override_settings(QUALITI_CHROMIUM_PATH="/nonexistent/chromium")
def test_without_chromium_it_fails_saying_so():
    report = generated(ReportedRun())

    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("Chromium is not installed at /nonexistent/chromium")
    assert "\n" not in report.error and "Traceback" not in report.error
