"""The quality manager's whole journey in Chromium, on a live server with a real worker.

The quality manager creates a project on the "New project" page, adds PERF-01 and FAIR-01
from the template catalogue, writes a test plan in the plan editor (each check's parameter
form generated from its schema) and approves it, uploads a model version and its training
and evaluation data while the upload progress bar moves, launches a run, watches it work
and finish without reloading, reads its charts, and triages the finding the run opened:
a new severity, the development team, and the developer "dev" as assignee. The developer
then finds it in "My work".

The model learnt labels biased against women (journey_files.LABEL_BIAS), so the run fails
the four-fifths rule on "sex": that failure is the finding.
"""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.models import ProjectRole, Team, User
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.models import Finding, FindingStatus
from apps.projects.models import Dataset, ModelVersion, Project, ValidationStatus
from apps.testplans.models import PlanStatus, TestPlan
from qualiti.demo.seed import DEMO_PASSWORD, DEMO_TEAM_NAME, demo_seed
from tests.browser.journey_files import EVALUATION_ROWS, TRAIN_ROWS, journey_files
from tests.browser.journey_pages import (
    add_check,
    fact,
    flash,
    project_tab,
    schema_row,
    upload_throttled,
    wait_until_valid,
)
from tests.browser.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROJECT_NAME = "Loan approvals"
PLAN_NAME = "Release gate"
MODEL_LABEL = "1.0 (historical labels)"
TRAINING_NAME = "Applicants 2023 (training)"
EVALUATION_NAME = "Applicants Q1 2024 (evaluation)"
PERF_01 = "Classifier clearly beats the majority-class baseline"
FAIR_01 = "Selection rates satisfy the four-fifths rule"
FAIR_01_TITLE = f"FAIR-01 {FAIR_01} fails on sex"
RUN_TIMEOUT = 120_000


@pytest.fixture
def shoot(page, screenshot):
    """Numbered screenshots of the journey: qm-journey-01-..., qm-journey-02-..."""
    taken = []

    def take(name: str, *, taken_if: bool = True) -> None:
        """`taken_if=False` keeps the step's number without a picture, so that the
        numbers of the later steps stay the same from one run to the next."""
        if not taken_if:
            taken.append(name)
            return
        # A full-page screenshot resizes the viewport and back; Chromium then scrolls a
        # focused text field into view at the next mouse press, which moves the page under
        # the pointer and turns the next click into a click on something else. Nothing
        # stays focused while the picture is taken.
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        taken.append(name)
        screenshot(page, f"qm-journey-{len(taken):02d}-{name}")

    return take


def test_the_quality_manager_takes_a_model_from_upload_to_an_assigned_finding(
    live_server, page, shoot, tmp_path, celery_worker
):
    demo_seed()  # the users qm, dev, manager and the team "Credit models team" (dev in it)
    team = Team.objects.get(name=DEMO_TEAM_NAME)
    dev = User.objects.get(username="dev")
    assert team.members.filter(pk=dev.pk).exists()
    files = journey_files(tmp_path)
    base = live_server.url

    # 1. Log in and create the project on the "New project" page.
    log_in(page, base, "qm")
    expect(page.get_by_role("heading", name="Portfolio", level=1)).to_be_visible()
    shoot("portfolio")
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    form = page.get_by_role("form", name="New project")
    form.get_by_label("Name").fill(PROJECT_NAME)
    form.get_by_label("Description").fill("Predicts whether an applicant repays a loan.")
    form.get_by_label("Risk level").select_option(label="High")
    form.get_by_label("Development team").select_option(label=DEMO_TEAM_NAME)
    shoot("new-project-form")
    form.get_by_role("button", name="Create project").click()

    expect(page.get_by_role("heading", name=PROJECT_NAME, level=1)).to_be_visible()
    expect(flash(page)).to_contain_text(f"Project “{PROJECT_NAME}” created")
    expect(fact(page, "Development team")).to_have_text(DEMO_TEAM_NAME)
    project = Project.objects.get(name=PROJECT_NAME)
    assert (project.development_team, project.risk_level) == (team, "high")
    assert project.memberships.get().user.username == "qm"
    shoot("project-created")
    # The team's developer joins the project on its members page, so that the finding can
    # be given to them.
    page.get_by_role("link", name="All members and their roles").click()
    page.get_by_label("Person").select_option(label=dev.username)
    page.get_by_label("Role", exact=True).select_option(label="Developer")
    page.get_by_role("button", name="Add member").click()
    expect(flash(page)).to_contain_text("dev joined as developer.")
    assert project.memberships.get(user=dev).role == ProjectRole.DEVELOPER
    shoot("developer-joined")
    slug = project.slug

    # 2. Criteria from the template catalogue: PERF-01 and FAIR-01.
    project_tab(page, "Criteria").click()
    expect(page.get_by_role("heading", name="Criteria", level=1)).to_be_visible()
    expect(page.get_by_text("This project has no criteria yet.")).to_be_visible()
    page.get_by_role("link", name="Browse the template catalogue").first.click()
    expect(page.get_by_role("heading", name="Criterion template catalogue")).to_be_visible()
    fairness = page.locator("#template-FAIR-01")
    fairness.get_by_text("Why, and how to meet it").click()
    expect(fairness).to_contain_text("Guidance.")
    for name in (PERF_01, FAIR_01):
        page.get_by_label(f"Add {name}", exact=True).check()
    shoot("template-catalogue")
    page.get_by_role("button", name="Add the chosen criteria").first.click()
    expect(page.get_by_role("heading", name="Criteria", level=1)).to_be_visible()
    expect(flash(page)).to_contain_text("Added 2 criteria: FAIR-01, PERF-01.")
    shoot("criteria-added")

    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="PERF-01")).to_contain_text("Balanced accuracy skill")
    expect(rows.filter(has_text="FAIR-01")).to_contain_text(">= 0.8")
    assert set(project.criteria.values_list("code", flat=True)) == {"PERF-01", "FAIR-01"}
    shoot("criteria-list")

    # 3. The test plan: two checks through the generated parameter forms, then approval.
    project_tab(page, "Test plans").click()
    expect(page.get_by_text("This project has no test plan yet.")).to_be_visible()
    page.get_by_label("Plan name").fill(PLAN_NAME)
    page.get_by_label("Description").fill("What a model version must pass before it ships.")
    page.get_by_role("button", name="Create test plan").click()
    expect(page.get_by_role("heading", name=f"{PLAN_NAME} v1", level=1)).to_be_visible()
    expect(page.get_by_text("This plan has no checks yet.")).to_be_visible()

    def baseline_params(form) -> None:
        form.get_by_label("Training", exact=True).check()  # the baseline is fitted on it
        expect(form.get_by_label("Evaluation", exact=True)).to_be_checked()
        form.get_by_label("Baseline", exact=True).select_option("most_frequent")
        form.get_by_label("Metric", exact=True).select_option("balanced_accuracy")
        form.get_by_label("N bootstrap", exact=True).fill("200")
        shoot("plan-add-baseline-check")

    def fairness_params(form) -> None:
        expect(form.get_by_label("Columns", exact=True)).to_have_value("sensitive")
        expect(form.get_by_label("Min group size", exact=True)).to_have_value("30")
        form.get_by_label("N bootstrap", exact=True).fill("200")

    add_check(
        page, "performance.baseline_comparison", criterion_code="PERF-01", fill=baseline_params
    )
    add_check(page, "fairness.classification", criterion_code="FAIR-01", fill=fairness_params)
    checks = page.get_by_role("region", name="Checks").locator("tbody tr")
    expect(checks).to_have_count(2)
    expect(checks.nth(0)).to_contain_text("Skill over a simple baseline")
    expect(checks.nth(0)).to_contain_text("train, evaluation")
    expect(checks.nth(0)).to_contain_text("most_frequent")
    expect(checks.nth(1)).to_contain_text("FAIR-01")
    shoot("plan-with-checks")

    page.get_by_role("button", name="Approve plan").click()
    expect(flash(page)).to_contain_text(f"Approved “{PLAN_NAME}” v1")
    expect(page.locator(".page-header .plan-status")).to_have_text("Approved")
    expect(page.get_by_role("button", name="Add check")).to_have_count(0)
    plan = TestPlan.objects.get(project=project, name=PLAN_NAME)
    assert plan.status == PlanStatus.APPROVED and plan.approved_by.username == "qm"
    baseline, fairness = plan.checks.order_by("position")
    assert baseline.params["baseline"] == "most_frequent"
    assert baseline.params["n_bootstrap"] == 200
    assert sorted(baseline.dataset_roles) == ["evaluation", "train"]
    assert (fairness.criterion.code, fairness.params["columns"]) == ("FAIR-01", "sensitive")
    shoot("plan-approved")

    # 4. Uploads: the model version, then the training and evaluation data.
    project_tab(page, "Uploads").click()
    expect(page.get_by_role("heading", name="Uploads", level=1)).to_be_visible()
    form = page.get_by_role("form", name="Upload model version")
    form.get_by_label("Model file").set_input_files(files.model)
    form.get_by_label("Label").fill(MODEL_LABEL)
    form.get_by_label("Task type").select_option(label="Binary classification")
    form.get_by_label("Feature columns").fill(", ".join(files.features))
    upload_throttled(
        page,
        "model-version-form",
        files.model.stat().st_size,
        re.compile(r"/uploads/models/\d+/$"),
        shoot,
        "model-upload-progress",
    )
    expect(page.get_by_role("heading", name=f"Model version 1: {MODEL_LABEL}")).to_be_visible()
    expect(flash(page)).to_contain_text("Model version 1 uploaded.")
    expect(fact(page, "Model type")).to_have_text("sklearn.pipeline.Pipeline")
    expect(page.locator(".feature-list li")).to_have_count(len(files.features))
    expect(page.get_by_text("Types outside the trusted list")).to_have_count(0)
    version = ModelVersion.objects.get(project=project)
    assert (version.artifact_format, version.features) == ("skops", files.features)
    shoot("model-version-page")

    for name, role, path, rows_count in (
        (TRAINING_NAME, "Training", files.training, TRAIN_ROWS),
        (EVALUATION_NAME, "Evaluation", files.evaluation, EVALUATION_ROWS),
    ):
        project_tab(page, "Uploads").click()
        form = page.get_by_role("form", name="Upload dataset")
        form.get_by_label("Data file").set_input_files(path)
        form.get_by_label("Dataset name").fill(name)
        form.get_by_label("Role").select_option(label=role)
        form.get_by_label("Target column").fill(files.target)
        form.get_by_label("Sensitive columns").fill(", ".join(files.sensitive))
        upload_throttled(
            page,
            "dataset-form",
            path.stat().st_size,
            re.compile(r"/uploads/datasets/\d+/$"),
            shoot,
            f"{role.lower()}-upload-progress",
        )
        expect(page.get_by_role("heading", name=f"Dataset “{name}”")).to_be_visible()
        expect(flash(page)).to_contain_text("it is being validated")
        wait_until_valid(page)  # no reload: the validation part updates itself
        columns = len(files.features) + 1
        expect(page.locator("#dataset-status")).to_contain_text(
            f"{rows_count} rows \N{MULTIPLICATION SIGN} {columns} columns"
        )
        expect(page.locator("table.schema tbody tr")).to_have_count(columns)
        expect(schema_row(page, "age")).to_contain_text("integer")
        expect(schema_row(page, "income")).to_contain_text("float")
        expect(schema_row(page, "sex")).to_contain_text("sensitive")
        expect(schema_row(page, files.target)).to_contain_text("target")
        shoot(f"{role.lower()}-dataset-schema")

    datasets = {dataset.name: dataset for dataset in Dataset.objects.filter(project=project)}
    assert {d.validation_status for d in datasets.values()} == {ValidationStatus.VALID}
    assert datasets[EVALUATION_NAME].row_count == EVALUATION_ROWS
    project_tab(page, "Uploads").click()
    expect(page.get_by_role("link", name="v1", exact=True)).to_be_visible()
    expect(page.locator(".badge.validation-valid")).to_have_count(2)
    shoot("uploads-list")

    # 5. Launch the run on the run-launch page.
    project_tab(page, "Runs").click()
    expect(page.get_by_role("heading", name="Launch a run")).to_be_visible()
    form = page.get_by_role("form", name="Launch a run")
    form.get_by_label("Test plan").select_option(label=f"{PLAN_NAME} v1")
    form.get_by_label("Model version").select_option(str(version.pk))
    form.get_by_label("Evaluation dataset").select_option(str(datasets[EVALUATION_NAME].pk))
    form.get_by_label("Training dataset").select_option(str(datasets[TRAINING_NAME].pk))
    shoot("run-launch-form")
    form.get_by_role("button", name="Launch run").click()

    # 6. The run page: a live progress bar while it works, then the verdict by itself.
    page.wait_for_url(re.compile(rf"/projects/{slug}/runs/\d+/$"))
    run = EvaluationRun.objects.get(project=project)
    expect(page.get_by_role("heading", name=f"Run {run.pk}: {MODEL_LABEL}")).to_be_visible()
    expect(flash(page)).to_contain_text(f"Run {run.pk} queued")
    progress = page.locator("#run-progress-bar")
    expect(progress).to_be_visible()
    expect(page.get_by_text("Verdict:")).to_have_count(0)
    shoot("run-queued")
    # The worker takes the run: the polled fragment says so and moves the bar, unless the
    # run is so quick it ends between two polls (a second apart; it lasts several here).
    seen = page.wait_for_function(
        """() => {
            if (document.body.innerText.includes("Verdict:")) return {status: "done"};
            const status = document.querySelector("#run-progress .badge")?.textContent;
            const bar = document.getElementById("run-progress-bar");
            return status === "Running" && bar && {status, value: Number(bar.value)};
        }""",
        timeout=RUN_TIMEOUT,
    ).json_value()
    seen_running = seen["status"] == "Running"
    if seen_running:
        assert 0 <= seen["value"] < 100, seen
    shoot("run-running", taken_if=seen_running)
    page.get_by_text("Verdict:").wait_for(timeout=RUN_TIMEOUT)  # htmx reloads it when done
    expect(progress).to_have_count(0)

    run.refresh_from_db()
    assert (run.status, run.verdict, run.error) == (RunStatus.SUCCEEDED, "fail", "")
    verdict = page.get_by_role("region", name="Verdict")
    expect(verdict).to_contain_text("Verdict: Fail")
    expect(verdict).to_contain_text("1 failed (1 blocking)")
    results = page.locator("table.results tbody tr")
    expect(results).to_have_count(run.results.count())
    fair_row = results.filter(has_text="FAIR-01")
    expect(fair_row).to_contain_text("Fail")
    expect(fair_row).to_contain_text("sex")
    expect(results.filter(has_text="PERF-01")).to_contain_text("Pass")

    # 7. The charts: plotly draws each one from static/.
    page.wait_for_selector(".chart .main-svg")
    charts = page.locator(".charts .chart")
    assert charts.count() >= 1
    expect(page.get_by_role("figure", name="Selection rate by sex")).to_be_visible()
    for chart in charts.all():  # every chart drawn, not only the first
        expect(chart.locator(".main-svg").first).to_be_visible()
    shoot("run-finished-with-charts")

    # 8. The findings list, filtered to the project: the run's failure is there.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Findings").click()
    expect(page.get_by_role("heading", name="Findings", level=1)).to_be_visible()
    filters = page.get_by_role("form", name="Filter findings")
    filters.get_by_label("Project").select_option(label=PROJECT_NAME)
    filters.get_by_role("button", name="Filter").click()
    finding = Finding.objects.get(project=project)
    assert (finding.first_seen_run, finding.status) == (run, FindingStatus.OPEN)
    assert (finding.title, finding.severity) == (FAIR_01_TITLE, "high")
    rows = page.locator("table.findings-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(FAIR_01_TITLE)
    expect(rows).to_contain_text("High")
    expect(rows).to_contain_text(DEMO_TEAM_NAME)
    expect(rows).to_contain_text(f"Run {run.pk}")
    expect(rows).not_to_contain_text("dev")
    shoot("findings-list")

    # 9. The finding: its evidence and guidance, then triage and assignment to "dev".
    rows.get_by_role("link", name=FAIR_01_TITLE).click()
    expect(page.get_by_role("heading", name=FAIR_01_TITLE, level=1)).to_be_visible()
    expect(fact(page, "Status")).to_have_text("Open")
    expect(fact(page, "Severity")).to_have_text("High")
    expect(fact(page, "Team")).to_have_text(DEMO_TEAM_NAME)
    expect(fact(page, "Assignee")).to_have_text("Nobody")
    expect(fact(page, "First seen")).to_have_text(f"Run {run.pk}")
    expect(fact(page, "Criterion")).to_have_text(f"FAIR-01 {FAIR_01}")
    guidance = page.get_by_role("region", name="How to fix it")
    expect(guidance).to_contain_text(finding.criterion.guidance[:60])  # said once, here
    page.wait_for_selector(".chart .main-svg")  # the evidence chart
    shoot("finding-before-triage")

    triage = page.locator("form[action$='/assign/']")
    triage.get_by_label("Severity").select_option(label="Critical")
    triage.get_by_label("Team").select_option(label=DEMO_TEAM_NAME)
    triage.get_by_label("Assignee").select_option(label="dev")
    shoot("finding-triage-form")
    triage.get_by_role("button", name="Save triage").click()

    expect(flash(page)).to_contain_text("Triage saved.")
    expect(fact(page, "Assignee")).to_have_text("dev")
    expect(fact(page, "Severity")).to_have_text("Critical")
    expect(fact(page, "Team")).to_have_text(DEMO_TEAM_NAME)
    finding.refresh_from_db()
    assert (finding.assignee, finding.assigned_team, finding.severity) == (dev, team, "critical")
    shoot("finding-assigned")

    page.get_by_role("link", name=f"All findings of {PROJECT_NAME}").click()
    row = page.locator("table.findings-table tbody tr").filter(has_text=FAIR_01_TITLE)
    expect(row).to_contain_text("Critical")
    expect(row).to_contain_text("dev")
    shoot("findings-list-assigned")

    # 10. The developer finds it in "My work".
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("dev")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    findings = page.get_by_role("region", name="Open findings")
    mine = findings.get_by_role("row").filter(has_text=FAIR_01_TITLE)
    expect(mine).to_contain_text(PROJECT_NAME)
    expect(mine).to_contain_text("Critical")
    shoot("developer-my-work")
