"""The management journey in Chromium, on a real worker.

The demo project's latest run (version 1 of the credit model) fails the blocking fairness
criterion, so the portfolio shows it red, with the reason in words, and the management
numbers (time to remediate, findings by age, SLA compliance) and charts. The developers
then upload a model trained on audited labels, the quality manager the evaluation export
without its lost incomes, the fixes are submitted and a new run of the approved plan on
the real worker passes: every finding is verified, and the portfolio turns green.
"""

import re

import pytest

from apps.evaluations.models import RunStatus
from apps.findings.models import Finding, FindingStatus
from apps.findings.services import finding_transition
from tests.browser.journey_setup import (
    corrected_evaluation_upload,
    failing_review,
    fixed_model_upload,
    log_in,
    queue_run,
    wait_for_run,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

PROJECT = "Credit scoring"
AGE_BUCKETS = ["under 30 days", "30 to 60 days", "60 to 90 days", "over 90 days"]


def project_row(page):
    row = page.locator(
        "table.portfolio tbody tr",
        has=page.get_by_role("link", name=PROJECT, exact=True),
    )
    assert row.count() == 1
    return row


def stat(page, label: str) -> str:
    """The value of one of the portfolio's counters, found by its label."""
    return page.locator(".status-counts .stat", has_text=label).locator(".value").inner_text()


def table_values(page, caption: str) -> dict[str, str]:
    """A two-column management table as {row header: value}."""
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    assert table.is_visible(), caption
    rows = {}
    for row in table.locator("tbody tr").all():
        rows[row.locator("th").inner_text().strip()] = row.locator("td").inner_text().strip()
    return rows


def charts_drawn(page, *, at_least: int) -> None:
    """Every chart of the page was drawn by plotly (its SVG is in the page)."""
    page.wait_for_selector(".chart .main-svg")
    count = page.locator(".chart").count()
    assert count >= at_least
    assert page.locator(".chart .main-svg").count() >= count


def test_management_sees_the_project_red_then_green_after_the_fix(
    live_server, page, screenshot, celery_worker, tmp_path
):
    review = failing_review(celery_worker)
    base = live_server.url
    slug = review.project.slug
    findings = Finding.objects.filter(project=review.project)
    assert findings.count() == 3
    assert sorted(findings.values_list("severity", flat=True)) == ["high", "medium", "medium"]

    # 1. The portfolio: red, because a blocking criterion fails on the latest version.
    log_in(page, base, "manager")
    assert page.get_by_role("heading", name="Portfolio", level=1).is_visible()
    row = project_row(page)
    status = row.locator(".status")
    assert "status-red" in status.get_attribute("class")
    assert status.inner_text().strip() == "✖ At risk"
    reasons = row.locator(".reasons").inner_text()
    assert "1 blocking check failing on the latest run" in reasons
    assert "2 open medium findings" in reasons
    assert "blocking check failing" in status.get_attribute("title")
    assert row.locator(".verdict-word").inner_text().strip() == "✖ Fail"
    assert row.get_by_label(f"1 open high findings in {PROJECT}").is_visible()
    assert row.get_by_label(f"2 open medium findings in {PROJECT}").is_visible()
    assert stat(page, "at risk (red)").strip().endswith("1")
    assert stat(page, "on track (green)").strip().endswith("0")
    # The management numbers: nothing remediated yet, three findings opened today.
    mttr = table_values(page, "Mean time to remediate")
    assert list(mttr) == ["Critical", "High", "Medium", "Low"]
    assert set(mttr.values()) == {"none fixed yet"}
    age = table_values(page, "Open findings by age")
    assert age == dict(zip(AGE_BUCKETS, ["3", "0", "0", "0"], strict=True))
    assert stat(page, "SLA compliance") == "—"
    assert (
        "SLA compliance (0 on time, 0 late, 0 open and overdue)"
        in page.locator(".status-counts").inner_text()
    )
    charts_drawn(page, at_least=3)
    screenshot(page, "mgmt-journey-01-portfolio-red")

    # 2. The project's overview says why, and the failing run shows the blocking check.
    row.get_by_role("link", name=PROJECT, exact=True).click()
    page.wait_for_url(f"{base}/projects/{slug}/")
    header_status = page.locator(".page-header .status")
    assert "status-red" in header_status.get_attribute("class")
    assert "At risk" in header_status.inner_text()
    why = page.locator(".overview-facts dt", has_text="Why this status").locator(
        "xpath=following-sibling::dd[1]"
    )
    assert "1 blocking check failing on the latest run" in why.inner_text()
    charts_drawn(page, at_least=2)  # versions timeline, metric trends
    screenshot(page, "mgmt-journey-02-overview-red")

    page.goto(f"{base}/")
    project_row(page).locator(".verdict-word").click()
    page.wait_for_url(f"{base}/projects/{slug}/runs/{review.failing_run.pk}/")
    assert page.locator(".verdict strong").inner_text() == "Fail"
    fairness = page.locator("table.results tbody tr", has_text="Classification fairness")
    assert fairness.locator(".badge").all_inner_texts() == ["Fail", "blocking"]
    screenshot(page, "mgmt-journey-03-failing-run")

    # 3. The fix, through the services the pages use, evaluated by the real worker.
    fixed = fixed_model_upload(review, tmp_path)
    corrected = corrected_evaluation_upload(review, tmp_path)
    assert corrected.validation_status == "valid"
    for finding in findings.filter(status=FindingStatus.OPEN):
        finding_transition(
            finding=finding,
            user=review.dev,
            to=FindingStatus.FIX_SUBMITTED,
            reason=f"Fixed in model version {fixed.sequence}.",
            version=finding.version,
        )
    run = wait_for_run(queue_run(review, user=review.qm, model_version=fixed, evaluation=corrected))
    assert run.status == RunStatus.SUCCEEDED, (run.error, celery_worker.log_tail())
    assert run.verdict == "pass", run.summary
    assert run.summary["fail"] == 0 and run.summary["blocking_failures"] == 0
    assert set(findings.values_list("status", flat=True)) == {FindingStatus.VERIFIED}

    # 4. The portfolio again: green, with the remediation counted.
    page.goto(f"{base}/")
    row = project_row(page)
    status = row.locator(".status")
    assert "status-green" in status.get_attribute("class")
    assert status.inner_text().strip() == "✔ On track"
    assert status.get_attribute("title") is None  # no reason to give
    assert row.locator(".reasons").count() == 0
    assert row.locator(".verdict-word").inner_text().strip() == "✔ Pass"
    cells = row.locator("td.num").all_inner_texts()
    assert cells == ["0"] * len(cells)  # no open finding of any severity, nothing overdue
    assert stat(page, "at risk (red)").strip().endswith("0")
    assert stat(page, "on track (green)").strip().endswith("1")
    mttr = table_values(page, "Mean time to remediate")
    for severity in ("High", "Medium"):
        assert re.fullmatch(r"\d+\.\d", mttr[severity]), mttr
    assert mttr["Critical"] == mttr["Low"] == "none fixed yet"
    age = table_values(page, "Open findings by age")
    assert age == dict(zip(AGE_BUCKETS, ["0", "0", "0", "0"], strict=True))
    assert stat(page, "SLA compliance") == "100%"
    assert (
        "SLA compliance (3 on time, 0 late, 0 open and overdue)"
        in page.locator(".status-counts").inner_text()
    )
    charts_drawn(page, at_least=3)
    screenshot(page, "mgmt-journey-04-portfolio-green")

    # 5. The overview agrees, with the new version's verdict.
    project_row(page).get_by_role("link", name=PROJECT, exact=True).click()
    page.wait_for_url(f"{base}/projects/{slug}/")
    header_status = page.locator(".page-header .status")
    assert "status-green" in header_status.get_attribute("class")
    assert "On track" in header_status.inner_text()
    assert "No blocking failure, nothing overdue" in page.locator(".overview-facts").inner_text()
    latest = page.locator("section[aria-labelledby=versions-heading] tbody tr").first
    assert latest.locator("th").inner_text().startswith(f"v{fixed.sequence}")
    assert "Pass" in latest.locator(".verdict-word").inner_text()
    charts_drawn(page, at_least=2)  # versions timeline, metric trends
    screenshot(page, "mgmt-journey-05-overview-green")
