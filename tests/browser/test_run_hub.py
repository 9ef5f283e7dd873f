"""The run page as a hub in Chromium: from a failed check to its finding and back to the
run; the quality manager cancels a queued run with its button, the viewer has none; a
project with nothing evaluated is grey on the portfolio, in words, with enough contrast."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.accounts.models import Membership, ProjectRole, User
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import Finding
from apps.projects.models import Project
from qualiti.demo.seed import DEMO_PROJECT_SLUG, demo_seed
from tests.browser.test_login_journey import log_in
from tests.evaluations.factories import EvaluationRunFactory
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_check_leads_to_its_finding_and_the_finding_back_to_its_runs(
    live_server, page, screenshot
):
    call_command("seed_demo", stdout=io.StringIO())  # two evaluated versions, findings
    finding = Finding.objects.filter(first_seen_run__isnull=False).order_by("pk").first()
    run = finding.first_seen_run
    base = live_server.url
    log_in(page, base, "qm")

    page.goto(f"{base}/projects/{run.project.slug}/runs/{run.pk}/")
    header = page.get_by_role("region", name="About this run")
    expect(header).to_contain_text("Launched")
    expect(header.get_by_role("link", name=run.dataset.name)).to_be_visible()
    tabs = page.get_by_role("navigation", name="Project")
    expect(tabs.get_by_role("link", name="Runs", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    screenshot(page, "run-hub-01-header")

    page.get_by_role("link", name=f"Finding {finding.pk},").first.click()
    page.wait_for_url(f"{base}/findings/{finding.pk}/")
    runs = page.get_by_role("region", name="Runs")
    expect(runs).to_contain_text(f"Opened by run {run.pk}")
    screenshot(page, "run-hub-02-finding-runs")

    runs.get_by_role("link", name=f"run {run.pk}", exact=True).click()
    page.wait_for_url(f"{base}/projects/{run.project.slug}/runs/{run.pk}/")


def test_the_quality_manager_cancels_a_queued_run_and_the_viewer_sees_no_button(
    live_server, page, screenshot
):
    demo_seed()
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    run = EvaluationRunFactory(
        project=project,
        model_version=project.model_versions.earliest("sequence"),
        dataset=project.datasets.get(role="evaluation"),
        created_by=User.objects.get(username="qm"),
    )
    base = live_server.url
    url = f"{base}/projects/{project.slug}/runs/{run.pk}/"

    log_in(page, base, "viewer")
    page.goto(url)
    expect(page.get_by_role("region", name="About this run")).to_contain_text(
        "Launched by qm from the page"
    )
    expect(page.get_by_role("button", name="Cancel this run")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    log_in(page, base, "qm")
    page.goto(url)
    screenshot(page, "run-hub-03-queued-with-cancel")
    page.get_by_role("button", name="Cancel this run").click()
    page.wait_for_url(url)
    expect(page.get_by_text(f"Run {run.pk} is cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel this run")).to_have_count(0)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    screenshot(page, "run-hub-04-cancelled")


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_a_new_project_is_grey_and_not_evaluated_on_the_portfolio(live_server, page, screenshot):
    demo_seed()
    fresh = ProjectFactory(name="Fresh project")
    Membership.objects.create(
        user=User.objects.get(username="qm"), project=fresh, role=ProjectRole.QUALITY_MANAGER
    )
    assert not EvaluationRun.objects.filter(project=fresh).exists()
    log_in(page, live_server.url, "qm")

    row = page.locator("table.portfolio tbody tr", has_text="Fresh project")
    status = row.locator(".status")
    expect(status).to_have_text("○ Not evaluated yet")
    expect(row.locator(".reasons")).to_have_text(
        "missing criteria, an approved test plan, a model version, valid evaluation data, "
        "a finished run"
    )
    colour, background = status.evaluate(
        "element => [getComputedStyle(element).color, getComputedStyle(element).backgroundColor]"
    )
    lighter, darker = sorted([_luminance(colour), _luminance(background)], reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (colour, background)
    screenshot(page, "run-hub-05-portfolio-not-evaluated")

    row.get_by_role("link", name="Define criteria for Fresh project").click()
    page.wait_for_url(f"{live_server.url}/projects/{fresh.slug}/criteria/")
