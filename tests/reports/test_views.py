"""The Reports tab, the run page's Report button and the permission-checked files."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.responses import REPORT_POLICY
from tests.reports.factories import ReportedRun
from tests.reports.test_api import HTML, PDF, ready_report

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_tab_lists_the_reports_with_their_files_and_a_form():
    reported = ReportedRun()
    report = ready_report(reported)

    response = client_of(reported.viewer).get(
        reverse("project-reports", args=[reported.project.slug])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("report-file-html", args=[reported.project.slug, report.pk]) in page
    assert reverse("report-file-pdf", args=[reported.project.slug, report.pk]) in page
    assert 'aria-current="page">Reports</a>' in page
    assert "Generate" in page
    assert "hx-get" not in page  # nothing being generated: no polling
    assert "script-src 'self'" in response["Content-Security-Policy"]  # the app's strict policy


def test_an_outsider_does_not_see_the_tab_or_the_files():
    reported = ReportedRun()
    report = ready_report(reported)
    client = client_of(reported.outsider)
    slug = reported.project.slug

    assert client.get(reverse("project-reports", args=[slug])).status_code == 404
    assert client.get(reverse("report-file-html", args=[slug, report.pk])).status_code == 404
    assert client.get(reverse("report-file-pdf", args=[slug, report.pk])).status_code == 404


def test_the_files_are_the_stored_bytes_under_the_reports_own_policy():
    reported = ReportedRun()
    report = ready_report(reported)
    client = client_of(reported.viewer)

    html = client.get(reverse("report-file-html", args=[reported.project.slug, report.pk]))
    pdf = client.get(reverse("report-file-pdf", args=[reported.project.slug, report.pk]))

    assert b"".join(html.streaming_content) == HTML
    assert html["Content-Security-Policy"] == REPORT_POLICY
    assert html["Content-Security-Policy"].startswith("sandbox allow-scripts; default-src 'none'")
    assert b"".join(pdf.streaming_content) == PDF
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf["X-Content-Type-Options"] == "nosniff"


def test_the_form_requests_a_run_report(django_capture_on_commit_callbacks):
    reported = ReportedRun()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_of(reported.dev).post(
            reverse("report-request", args=[reported.project.slug]),
            {"kind": "run", "run": reported.run.pk},
        )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.run, report.status) == ("run", reported.run, "queued")
    assert len(callbacks) == 1
    page = client_of(reported.dev).get(response["Location"]).content.decode()
    assert "hx-get" in page and 'aria-label="Progress of report' in page


def test_the_form_says_what_is_missing():
    reported = ReportedRun()

    response = client_of(reported.qm).post(
        reverse("report-request", args=[reported.project.slug]), {"kind": "model_card"}
    )

    assert response.status_code == 400
    assert "Choose the model version." in response.content.decode()
    assert not Report.objects.exists()


def test_a_project_report_defaults_to_the_last_30_days():
    reported = ReportedRun()

    client_of(reported.qm).post(
        reverse("report-request", args=[reported.project.slug]), {"kind": "project"}
    )

    report = Report.objects.get()
    assert report.kind == ReportKind.PROJECT
    assert (report.period_end - report.period_start).days == 29  # 30 days, both ends in


def test_the_run_page_has_a_report_button_that_requests_it():
    reported = ReportedRun()
    client = client_of(reported.viewer)
    run_page = reverse("run-detail", args=[reported.project.slug, reported.run.pk])
    button = reverse("run-report-request", args=[reported.project.slug, reported.run.pk])

    assert button in client.get(run_page).content.decode()
    response = client.post(button)

    assert response["Location"] == reverse("project-reports", args=[reported.project.slug])
    assert Report.objects.get().run == reported.run


def test_the_rows_fragment_stops_polling_once_ready():
    reported = ReportedRun()
    report = Report.objects.create(kind=ReportKind.RUN, project=reported.project, run=reported.run)
    rows = reverse("project-report-rows", args=[reported.project.slug])
    client = client_of(reported.viewer)

    assert "hx-get" in client.get(rows).content.decode()
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, error="Chromium is not installed at /x."
    )
    page = client.get(rows).content.decode()
    assert "hx-get" not in page and "Chromium is not installed at /x." in page
