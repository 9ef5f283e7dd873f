"""POST /api/v1/reports/ queues a report; GET follows it and serves its stored bytes under
the report's own policy; lists are scoped to visible projects."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.models import OrgRole
from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.responses import REPORT_POLICY
from tests.factories import UserFactory
from tests.projects.factories import client_for
from tests.reports.factories import ReportedRun

pytestmark = pytest.mark.django_db
HTML = b"<!doctype html><title>r</title><script>1</script>"
PDF = b"%PDF-1.7 not really"


def ready_report(reported: ReportedRun, **fields) -> Report:
    report = Report(
        kind=ReportKind.RUN, project=reported.project, run=reported.run,
        status=ReportStatus.READY, progress=100, html_sha256=hashlib.sha256(HTML).hexdigest(),
        pdf_sha256=hashlib.sha256(PDF).hexdigest(), **fields,
    )  # fmt: skip
    report.save()
    report.html.save("run-report.html", ContentFile(HTML), save=False)
    report.pdf.save("run-report.pdf", ContentFile(PDF), save=False)
    report.save()
    return report


def test_a_viewer_requests_a_run_report_and_it_is_queued(django_capture_on_commit_callbacks):
    reported = ReportedRun()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(reported.viewer).post(
            "/api/v1/reports/", {"kind": "run", "run": reported.run.pk}, format="json"
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["html_url"] is None
    report = Report.objects.get(pk=body["id"])
    assert report.project == reported.project and report.created_by == reported.viewer
    assert len(callbacks) == 1  # the generation task, sent once committed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "poster", "run": 1}, "kind"),
        ({"kind": "run"}, "field"),
        ({"kind": "model_card"}, "field"),
        ({"kind": "project"}, "field"),
    ],
)
def test_a_bad_kind_or_a_missing_subject_is_400_with_a_message(body, field):
    reported = ReportedRun()

    response = client_for(reported.qm).post("/api/v1/reports/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_a_run_still_running_has_no_report_yet():
    reported = ReportedRun()
    reported.run.status = "running"
    reported.run.save()

    response = client_for(reported.qm).post(
        "/api/v1/reports/", {"kind": "run", "run": reported.run.pk}, format="json"
    )

    assert response.status_code == 400
    assert "still running" in response.json()["detail"]


def test_a_run_of_another_project_is_not_found_for_an_outsider():
    reported = ReportedRun()

    response = client_for(reported.outsider).post(
        "/api/v1/reports/", {"kind": "run", "run": reported.run.pk}, format="json"
    )

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_ready_report_gives_its_urls_sha256_and_bytes_with_a_token():
    reported = ReportedRun()
    report = ready_report(reported)
    _, token = AuthToken.objects.create(user=reported.viewer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    html = client.get(body["html_url"], HTTP_ACCEPT="text/html")
    pdf = client.get(body["pdf_url"], HTTP_ACCEPT="application/pdf")

    assert body["status"] == "ready" and body["signed_by"] is None
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert html.status_code == 200 and b"".join(html.streaming_content) == HTML
    assert html["Content-Security-Policy"] == REPORT_POLICY
    assert html["Content-Type"].startswith("text/html")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == PDF
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf["X-Content-Type-Options"] == "nosniff"


def test_the_files_of_a_report_not_ready_are_404():
    reported = ReportedRun()
    report = Report.objects.create(kind=ReportKind.RUN, project=reported.project, run=reported.run)

    response = client_for(reported.qm).get(f"/api/v1/reports/{report.pk}/pdf/")

    assert response.status_code == 404


def test_lists_show_only_visible_projects_and_portfolio_reports_to_who_sees_all():
    reported = ReportedRun()
    mine = ready_report(reported)
    portfolio = Report.objects.create(
        kind=ReportKind.PORTFOLIO,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
    )

    def listed(user) -> set[int]:
        return {row["id"] for row in client_for(user).get("/api/v1/reports/").json()["results"]}

    assert listed(reported.viewer) == {mine.pk}
    assert listed(reported.outsider) == set()
    assert listed(reported.manager) == {mine.pk, portfolio.pk}
    assert listed(reported.admin) == {mine.pk, portfolio.pk}
    assert client_for(reported.outsider).get(f"/api/v1/reports/{mine.pk}/html/").status_code == 404


def test_only_who_sees_every_project_requests_a_portfolio_report():
    reported = ReportedRun()
    qm = UserFactory(org_role=OrgRole.QUALITY_MANAGER)

    refused = client_for(qm).post("/api/v1/reports/", {"kind": "portfolio"}, format="json")
    accepted = client_for(reported.manager).post(
        "/api/v1/reports/", {"kind": "portfolio"}, format="json"
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201
    body = accepted.json()
    assert body["period_end"] == datetime.date.today().isoformat()
    # the last 30 days, today included
    assert body["period_start"] == (datetime.date.today() - datetime.timedelta(days=29)).isoformat()
