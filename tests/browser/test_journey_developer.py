"""The developer's journey in Chromium (issue 7), on a real worker.

Version 1 of the demo's credit model learnt labels biased against women, and its run
failed the fairness criterion FAIR-01; the finding went to the developer's team with a
corrective action. The developer finds it in "My work", reads it, comments (Markdown,
sanitised), starts work, uploads version 2 trained on audited labels, submits the fix and
launches a run of the approved plan on it. The run passes FAIR-01 on the newer model
version, so the finding is verified, which the developer sees on its page.

No form links a fix to a model version: "Submit fix" moves the finding to fix_submitted
with the developer's note (which names the version), and the run services
(findings_sync_for_run) verify it when a later run passes its check on a model version
newer than the one of the run that last saw it fail.
"""

import re

import pytest

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import FindingStatus
from apps.projects.models import ModelVersion
from qualiti.demo import data as demo_data
from tests.browser.journey_setup import (
    FAIRNESS_CODE,
    RUN_TIMEOUT_MS,
    failing_review,
    fixed_model_file,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

FIX_NOTE = "Retrained on the audited labels: model version 2 (1.1)."
COMMENT = (
    "Retraining on the **audited labels**; the old ones came from `2023 export`.\n\n"
    "<script>document.title = 'owned';</script>\n\n"
    '<img src="/no-such-image.png" onerror="document.title = \'owned\'">\n\n'
    "[a bad link](javascript:alert(1))"
)


def flash(page) -> str:
    return page.locator(".messages").inner_text()


def fact(page, name: str):
    """The value of one fact (a <dd>) of the finding page."""
    return page.locator(".facts dt", has_text=re.compile(f"^{name}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def test_a_developer_fixes_a_finding_and_sees_it_verified(
    live_server, page, screenshot, celery_worker, tmp_path
):
    review = failing_review(celery_worker)
    finding = review.finding(FAIRNESS_CODE)
    title = finding.title
    assert title.startswith("FAIR-01") and finding.severity == "high"
    base = live_server.url

    # 1. My work: the finding of the team, and its corrective action.
    log_in(page, base, "dev")
    page.get_by_role("link", name="My work").click()
    page.wait_for_url(f"{base}/my-work/")
    findings_table = page.locator("section[aria-labelledby=my-findings-heading] table")
    row = findings_table.locator("tbody tr", has=page.get_by_role("link", name=title))
    assert row.count() == 1
    assert "Open" in row.locator("td").nth(4).inner_text()
    assert row.get_by_role("button", name=f"Start work on {title}").is_visible()
    assert row.get_by_role("link", name=f"Submit fix on {title}").is_visible()
    actions_table = page.locator("section[aria-labelledby=my-actions-heading] table")
    action_row = actions_table.locator("tbody tr", has=page.get_by_role("link", name=title))
    assert action_row.count() == 1
    action = finding.actions.get()
    assert action.description[:40] in action_row.inner_text()
    assert "Proposed" in action_row.inner_text()
    screenshot(page, "dev-journey-01-my-work")

    # 2. The finding's page: facts, the failing evidence drawn by plotly, the action.
    row.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(f"{base}/findings/{finding.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert fact(page, "Status").inner_text() == "Open"
    assert fact(page, "Team").inner_text() == "Credit models team"
    assert fact(page, "First seen").inner_text() == f"Run {review.failing_run.pk}"
    evidence = page.locator("section[aria-labelledby=evidence-heading]")
    assert evidence.locator(".badge.outcome-fail").inner_text() == "Fail"
    assert "Demographic parity ratio of sex" in evidence.inner_text()
    page.wait_for_selector(".chart .main-svg")
    assert page.locator("#actions tbody tr").count() == 1
    screenshot(page, "dev-journey-02-finding")

    # 3. A comment in Markdown: rendered, and sanitised (no script, image or js: link).
    page.get_by_label("Comment", exact=True).fill(COMMENT)
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_url(f"{base}/findings/{finding.pk}/#comments")
    assert "Comment added." in flash(page)
    comment = page.get_by_role("article", name="Comment by dev")
    assert comment.count() == 1
    body = comment.locator(".markdown")
    assert body.locator("strong").inner_text() == "audited labels"
    assert body.locator("code").inner_text() == "2023 export"
    assert body.locator("script, img, [onerror]").count() == 0
    bad_link = body.locator("a", has_text="a bad link")
    assert not (bad_link.get_attribute("href") or "").startswith("javascript")
    assert "owned" not in page.title()
    assert "<strong>" not in body.inner_text()  # rendered, not shown as text
    screenshot(page, "dev-journey-03-comment")

    # 4. Start work: the finding moves to "In progress", and so does its action.
    page.get_by_label("New status").select_option(label="In progress")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_load_state()
    assert "Status changed to In progress." in flash(page)
    assert fact(page, "Status").inner_text() == "In progress"
    page.get_by_label("Status of action 1").select_option(label="In progress")
    page.get_by_role("button", name="Save the status of action 1").click()
    page.wait_for_load_state()
    assert "Corrective action marked in progress." in flash(page)
    assert page.get_by_label("Status of action 1").input_value() == "in_progress"
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS
    screenshot(page, "dev-journey-04-in-progress")

    # 5. Upload the fixed model (trained without the label bias) on the uploads page.
    model_path = fixed_model_file(tmp_path)
    page.goto(f"{base}/projects/{review.project.slug}/uploads/")
    form = page.locator("#model-version-form")
    form.get_by_label("Model file").set_input_files(str(model_path))
    form.get_by_label("Label").fill("1.1 (audited labels)")
    form.get_by_label("Task type").select_option("binary")
    form.get_by_label("Feature columns").fill(", ".join(demo_data.FEATURES))
    form.get_by_label("Notes").fill("Retrained on audited labels, without the bias.")
    screenshot(page, "dev-journey-05-upload-form")
    form.get_by_role("button", name="Upload model version").click()
    page.wait_for_url(re.compile(r"/uploads/models/\d+/$"), timeout=30_000)
    fixed = ModelVersion.objects.get(project=review.project, sequence=2)
    assert page.url == f"{base}/projects/{review.project.slug}/uploads/models/{fixed.pk}/"
    assert "Model version 2 uploaded." in flash(page)
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Model version 2: 1.1 (audited labels)"
    )
    assert "Pipeline" in page.locator("section[aria-labelledby=inspection-heading]").inner_text()
    assert fixed.uploaded_by == review.dev and fixed.features == demo_data.FEATURES
    version_page = page.url
    screenshot(page, "dev-journey-06-model-uploaded")

    # 6. Submit the fix from "My work": its link leads to the finding's form for the note.
    page.get_by_role("link", name="My work").click()
    page.wait_for_url(f"{base}/my-work/")
    page.get_by_role("link", name=f"Submit fix on {title}").click()
    page.wait_for_url(f"{base}/findings/{finding.pk}/#submit-fix")
    page.get_by_label("What changed").fill(FIX_NOTE)
    page.get_by_role("button", name="Submit fix").click()
    page.wait_for_url(f"{base}/findings/{finding.pk}/")
    assert "Fix submitted; the quality manager verifies it." in flash(page)
    history = page.locator("ol.history li").last.inner_text()
    assert "In progress → Fix submitted by dev, with the note" in history
    assert FIX_NOTE in history
    page.get_by_role("link", name="My work").click()
    page.wait_for_url(f"{base}/my-work/")
    row = findings_table.locator("tbody tr", has=page.get_by_role("link", name=title))
    assert "Fix submitted" in row.locator("td").nth(4).inner_text()
    assert row.get_by_role("button", name=f"Back to work on {title}").is_visible()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.FIX_SUBMITTED
    screenshot(page, "dev-journey-07-fix-submitted")

    # 7. The verification run: the approved plan on version 2, launched by the developer.
    page.goto(version_page)
    page.get_by_role("link", name="Launch a run on this version").click()
    page.wait_for_url(re.compile(r"/runs/new/\?model_version="))
    assert page.get_by_label("Model version", exact=True).input_value() == str(fixed.pk)
    page.get_by_label("Test plan").select_option(str(review.plan.pk))
    page.get_by_label("Evaluation dataset").select_option(str(review.evaluation.pk))
    page.get_by_label("Reference dataset").select_option(str(review.reference.pk))
    page.get_by_label("Training dataset").select_option(str(review.training.pk))
    screenshot(page, "dev-journey-08-launch")
    page.get_by_role("button", name="Launch run").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run = EvaluationRun.objects.get(project=review.project, model_version=fixed)
    assert run.created_by == review.dev
    assert page.url == f"{base}/projects/{review.project.slug}/runs/{run.pk}/"
    assert f"Run {run.pk} queued" in flash(page)
    page.get_by_text("Verdict:").wait_for(timeout=RUN_TIMEOUT_MS)  # the worker finished it
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.summary["blocking_failures"] == 0, run.summary
    assert run.verdict != "fail"
    assert page.locator(".verdict strong").inner_text() == run.get_verdict_display()
    fairness_row = page.locator("table.results tbody tr", has_text="Classification fairness")
    assert fairness_row.locator(".badge").first.inner_text() == "Pass"
    page.wait_for_selector(".chart .main-svg")
    screenshot(page, "dev-journey-09-run-passed")

    # 8. The finding is verified by that run, on its page, and left "My work".
    page.goto(f"{base}/findings/{finding.pk}/")
    assert fact(page, "Status").inner_text() == "Verified"
    assert fact(page, "Last seen").inner_text() == f"Run {run.pk}"
    history = page.locator("ol.history").inner_text()
    assert "Fix submitted → Verified" in history
    assert f"by run {run.pk}" in history
    assert f"Classification fairness passed in run {run.pk} on model version 2" in history
    # The comment is still there, and the developer may no longer move the status.
    assert page.get_by_role("article", name="Comment by dev").count() == 1
    assert page.get_by_role("button", name="Change status").count() == 0
    finding.refresh_from_db()
    assert finding.status == FindingStatus.VERIFIED and finding.closed_at is not None
    screenshot(page, "dev-journey-10-verified")

    page.get_by_role("link", name="My work").click()
    page.wait_for_url(f"{base}/my-work/")
    assert page.get_by_role("link", name=title).count() == 0
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    assert f"Finding verified: {title}" in page.locator("main").inner_text()
    screenshot(page, "dev-journey-11-notified")
