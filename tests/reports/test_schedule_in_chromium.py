"""The quality manager schedules the project's report on its Reports tab, in Chromium:
management is checked by default, a developer is added, and the tab says what will be
sent, to whom and when; no console error (the app's strict policy holds)."""

import pytest
from playwright.sync_api import expect

from apps.reports.models import ReportSchedule
from tests.browser.test_login_journey import DEMO_PASSWORD
from tests.findings.factories import ProjectCast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_quality_manager_schedules_the_weekly_report_on_the_reports_tab(
    live_server,
    page,
    screenshot,
):
    cast = ProjectCast()
    cast.qm.set_password(DEMO_PASSWORD)
    cast.qm.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(cast.qm.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/projects/{cast.project.slug}/reports/")
    panel = page.get_by_role("region", name="Scheduled report")
    expect(panel).to_contain_text("No report is scheduled.")
    expect(panel.get_by_label(cast.manager.username)).to_be_checked()
    expect(page.get_by_label("Commentary on the period")).to_be_visible()
    panel.get_by_label("Send the project report").select_option("weekly")
    panel.get_by_label(cast.dev.username).check()
    screenshot(page, "reports-schedule-01-form")
    panel.get_by_role("button", name="Schedule the report").click()
    page.wait_for_url(f"{live_server.url}/projects/{cast.project.slug}/reports/")

    panel = page.get_by_role("region", name="Scheduled report")
    expect(panel).to_contain_text("e-mailed weekly, as a PDF with a link, to 2 subscribers")
    expect(panel).to_contain_text("Next on the morning of")
    screenshot(page, "reports-schedule-02-saved")
    schedule = ReportSchedule.objects.get(project=cast.project)
    assert set(schedule.subscribers.all()) == {cast.manager, cast.dev}
