"""The stored HTML report in Chromium: opened from disk it draws every chart and asks no
host for anything; served by the app under the report's sandboxed policy it draws them
too, with no policy violation (the page fixture fails a test on any console error)."""

import pytest
from django.conf import settings
from django.test import Client

from apps.reports.models import Report, ReportKind, ReportStatus
from apps.reports.services import report_generate
from tests.reports.factories import ReportedRun
from tests.support.browser import requires_chromium

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
]
DRAWN = "window.qualitiChartsDrawn === true"


def generated(reported: ReportedRun) -> Report:
    report = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run, created_by=reported.qm
    )
    report = report_generate(report_id=report.pk)
    assert report.status == ReportStatus.READY, report.error
    return report


def charts_drawn(page) -> tuple[int, int]:
    """How many chart placeholders the report has, and how many plotly drew as SVG."""
    return page.evaluate(
        """() => {
            const charts = [...document.querySelectorAll("[data-figure]")];
            const drawn = charts.filter((chart) => chart.querySelector("svg.main-svg"));
            return [charts.length, drawn.length];
        }"""
    )


@pytest.mark.django_db
def test_opened_from_disk_it_draws_every_chart_and_makes_no_request(page, screenshot, tmp_path):
    report = generated(ReportedRun())
    path = tmp_path / "run-report.html"
    path.write_bytes(report.html.read())
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(path.as_uri())
    page.wait_for_function(DRAWN)

    placeholders, drawn = charts_drawn(page)
    assert placeholders >= 6 and drawn == placeholders
    assert requests == [path.as_uri()]
    # Interactive: hovering a chart shows plotly's hover label.
    page.locator('[data-figure="roc"] .nsewdrag').first.hover()
    screenshot(page, "run-report-html")


@pytest.mark.django_db(transaction=True)
def test_served_by_the_app_it_draws_under_the_reports_sandboxed_policy(
    live_server, chromium, page, screenshot
):
    reported = ReportedRun()
    report = generated(reported)
    client = Client()
    client.force_login(reported.viewer)
    chromium.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])  # fmt: skip
    url = f"{live_server.url}/projects/{reported.project.slug}/reports/{report.pk}/html/"

    response = page.goto(url)
    page.wait_for_function(DRAWN)

    assert response.headers["content-security-policy"].startswith("sandbox allow-scripts;")
    placeholders, drawn = charts_drawn(page)
    assert drawn == placeholders > 0
    # Sandboxed: the report runs in an opaque origin, so it cannot read the app's cookies.
    assert page.evaluate(
        "() => { try { return document.cookie; } catch (e) { return 'refused'; } }"
    ) in ("", "refused")
    page.goto(f"{live_server.url}/projects/{reported.project.slug}/reports/")
    assert page.locator(f"#report-{report.pk}").get_by_role("link", name="PDF").is_visible()
    screenshot(page, "reports-tab")
