"""A report's files kept in an S3-compatible bucket (moto's server, a real process): stored
through Django's storage, served only through the permission-checked views, streamed."""

import hashlib

import pytest
from django.test import Client

from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.services import report_files_store
from tests.projects.factories import client_for, outsider_client
from tests.reports.factories import ReportedRun

pytest_plugins = ["tests.support.s3"]  # the S3 server and bucket fixtures
pytestmark = pytest.mark.django_db
HTML = b"<!doctype html><title>r</title><p>run report</p>"
PDF = b"%PDF-1.7 a stand-in for the printed report"


def test_a_reports_files_are_stored_in_the_bucket_and_served_by_the_checked_view(s3_storage):
    reported = ReportedRun()
    report = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run,
        status=ReportStatus.READY, progress=100,
    )  # fmt: skip

    report = report_files_store(report=report, html=HTML, pdf=PDF)

    assert s3_storage.read(f"qualiti/{report.pdf.name}") == PDF
    assert s3_storage.read(f"qualiti/{report.html.name}") == HTML
    assert report.pdf_sha256 == hashlib.sha256(PDF).hexdigest()
    pdf = client_for(reported.viewer).get(f"/api/v1/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == PDF
    assert pdf["Content-Length"] == str(len(PDF))
    assert pdf["Content-Disposition"].startswith("attachment")
    browser = Client()
    browser.force_login(reported.viewer)
    page = browser.get(f"/projects/{reported.project.slug}/reports/{report.pk}/html/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == HTML
    outsider, _ = outsider_client()
    assert outsider.get(f"/api/v1/reports/{report.pk}/pdf/").status_code == 404


def test_a_report_page_while_the_store_is_down_is_503_saying_so(s3_storage, settings):
    reported = ReportedRun()
    report = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run,
        status=ReportStatus.READY, progress=100,
    )  # fmt: skip
    report_files_store(report=report, html=HTML, pdf=PDF)
    backend = s3_storage.storage_backend()
    backend["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"  # discard: nothing answers
    settings.STORAGES = {**settings.STORAGES, "default": backend}
    browser = Client()
    browser.force_login(reported.viewer)

    page = browser.get(f"/projects/{reported.project.slug}/reports/{report.pk}/pdf/")

    assert page.status_code == 503
    assert page.content.decode().startswith("The file store could not read the file")
