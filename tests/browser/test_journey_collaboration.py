"""The collaboration loop in Chromium (issue 14), on a live server with a real worker.

The quality manager creates a project whose development team has the developer "dev", who
is not a project member. Its review material (FAIR-01, an approved plan, a model trained on
labels biased against women, its data) goes in through the services the pages use (the
quality manager's own journey walks those pages); the worker's run fails FAIR-01 and opens
a finding with a corrective action nobody owns. Then, in the browser:

1. the quality manager finds it among "Findings without an assignee" on My work and assigns
   it to dev from the finding page, without visiting the members page: dev joins the
   project as a developer in the same step, and the history says so;
2. dev sees the notice, takes the action ("I'll do it") from My work, and submits the fix
   with a note naming the model version (version 2, uploaded through the service);
3. the quality manager sees the fix, with its note, in "Fixes to verify", launches the
   verification run from there, and the run verifies the finding.

Every step leaves a screenshot (tests/artifacts/collab-journey-NN-*.png); a console error
fails the test (the `page` fixture).
"""

import re

import pytest
from django.core.files import File
from playwright.sync_api import expect

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.audit.models import HistoryKind, StatusChange
from apps.criteria.models import CriterionTemplate
from apps.criteria.services import criterion_create_from_template, criterion_templates_sync
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.services import run_create
from apps.findings.models import ActionStatus, Finding, FindingStatus
from apps.projects.models import DatasetRole, Project, TaskType
from apps.projects.services import dataset_create, dataset_validate, model_version_create
from apps.testplans import services as plan_services
from qualiti.demo.seed import DEMO_TEAM_NAME, demo_seed
from tests.browser.journey_files import journey_files
from tests.browser.journey_pages import fact, flash
from tests.browser.journey_setup import RUN_TIMEOUT_MS, fixed_model_file, log_in, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROJECT_NAME = "Loan collaboration"
PLAN_NAME = "Fairness gate"
FIX_NOTE = "Retrained on the audited labels, without the bias against women: model version 2."


@pytest.fixture
def shoot(page, screenshot):
    """Numbered screenshots: collab-journey-01-..., collab-journey-02-..."""
    taken: list[str] = []

    def take(name: str) -> None:
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        taken.append(name)
        screenshot(page, f"collab-journey-{len(taken):02d}-{name}")

    return take


def review_material(project: Project, qm: User, folder) -> dict:
    """FAIR-01, an approved plan of it, the biased model (version 1) and its data."""
    files = journey_files(folder)
    criterion_templates_sync()
    criterion = criterion_create_from_template(
        project=project, template=CriterionTemplate.objects.get(code="FAIR-01"), user=qm
    )
    plan = plan_services.test_plan_create(project=project, user=qm, name=PLAN_NAME)
    plan_services.plan_check_add(
        plan=plan, user=qm, criterion=criterion, params={"n_bootstrap": 200},
        dataset_roles=["evaluation"],
    )  # fmt: skip
    plan = plan_services.test_plan_approve(plan=plan, user=qm)
    with files.evaluation.open("rb") as handle:
        evaluation = dataset_create(
            project=project, user=qm, uploaded_file=File(handle, name=files.evaluation.name),
            name="Applicants Q1 2024 (evaluation)", role=DatasetRole.EVALUATION,
            target_column=files.target, sensitive_columns=files.sensitive,
        )  # fmt: skip
    evaluation = dataset_validate(dataset_id=evaluation.pk)
    with files.model.open("rb") as handle:
        version = model_version_create(
            project=project, user=qm, uploaded_file=File(handle, name=files.model.name),
            label="1.0 (historical labels)", task_type=TaskType.BINARY, features=files.features,
        )  # fmt: skip
    return {"plan": plan, "evaluation": evaluation, "version": version}


def test_a_finding_goes_from_assignment_to_a_verified_fix(
    live_server, page, shoot, tmp_path, celery_worker
):
    demo_seed()  # qm, dev, manager, and the team "Credit models team" with dev in it
    qm, dev = User.objects.get(username="qm"), User.objects.get(username="dev")
    team = Team.objects.get(name=DEMO_TEAM_NAME)
    base = live_server.url
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))

    # 1. The quality manager creates the project, with dev's team as its development team.
    log_in(page, base, "qm")
    page.get_by_role("link", name="New project").click()
    form = page.get_by_role("form", name="New project")
    form.get_by_label("Name").fill(PROJECT_NAME)
    form.get_by_label("Development team").select_option(label=DEMO_TEAM_NAME)
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=PROJECT_NAME, level=1)).to_be_visible()
    project = Project.objects.get(name=PROJECT_NAME)
    assert project.development_team == team
    assert not project.memberships.filter(user=dev).exists()
    shoot("project-created")

    # The review material, and the run that fails FAIR-01 (the real worker).
    material = review_material(project, qm, tmp_path)
    queued = run_create(
        project=project, user=qm, test_plan=material["plan"],
        model_version=material["version"], dataset=material["evaluation"],
    )  # fmt: skip
    failing = wait_for_run(queued)
    assert (failing.status, failing.verdict) == (RunStatus.SUCCEEDED, "fail"), failing.error
    finding = Finding.objects.get(project=project)
    title = finding.title
    assert finding.assignee is None
    action = finding.actions.get()
    assert action.owner is None

    # 2. My work: the finding waits among those without an assignee; "Assign" leads to it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    unassigned = page.get_by_role("region", name=re.compile("^Findings without an assignee"))
    row = unassigned.get_by_role("row").filter(has_text=title)
    expect(row).to_have_count(1)
    shoot("qm-my-work-unassigned")
    row.get_by_role("link", name=f"Assign {title}").click()
    page.wait_for_url(re.compile(rf"/findings/{finding.pk}/#assign-form-heading$"))

    # 3. Assign to dev, who is in the team but not a member: the form says why they are
    # there, and assigning makes them a developer of the project in the same step.
    triage = page.locator("form[action$='/assign/']")
    assignee = triage.get_by_label("Assignee")
    expect(assignee.locator("option", has_text=re.compile("^dev$"))).to_have_count(1)
    expect(triage).to_contain_text(f"its development team ({DEMO_TEAM_NAME}) can be given work")
    assignee.select_option(label="dev")
    shoot("qm-assigns-dev")
    triage.get_by_role("button", name="Save triage").click()
    expect(flash(page)).to_contain_text("Triage saved; dev joined the project as a developer.")
    expect(fact(page, "Assignee")).to_have_text("dev")
    history = page.locator("ol.history")
    expect(history).to_contain_text(
        f"qm assigned to dev; dev joined the project as a developer, being a member of its "
        f"development team {DEMO_TEAM_NAME}"
    )
    assert Membership.objects.get(project=project, user=dev).role == ProjectRole.DEVELOPER
    assert not [url for url in visited if "/members/" in url], visited
    shoot("qm-assigned")
    page.get_by_role("button", name="Log out").click()

    # 4. dev sees the notice of the assignment, and their work waiting in the top bar.
    log_in(page, base, "dev")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name=re.compile(r"^My work, \d+ waiting$"))).to_be_visible()
    main_nav.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.locator("main")).to_contain_text(
        f"“{title}” in {PROJECT_NAME} was assigned to you by qm."
    )
    shoot("dev-notified")

    # 5. My work: "I'll do it" on the run's corrective action.
    main_nav.get_by_role("link", name="My work").click()
    actions = page.get_by_role("region", name="Open corrective actions")
    action_row = actions.get_by_role("row").filter(has_text=title)
    expect(action_row).to_contain_text("Nobody yet")
    shoot("dev-my-work")
    action_row.get_by_role("button", name=re.compile("^I'll do it")).click()
    expect(flash(page)).to_contain_text("The action is yours, and in progress.")
    expect(action_row).to_contain_text("dev")
    expect(action_row).to_contain_text("In progress")
    action.refresh_from_db()
    assert (action.owner, action.status) == (dev, ActionStatus.IN_PROGRESS)
    shoot("dev-took-the-action")

    # 6. The fixed model is version 2 (uploaded as the uploads page does); dev submits the
    # fix from My work, with the note the form asks for.
    with fixed_model_file(tmp_path).open("rb") as handle:
        fixed = model_version_create(
            project=project, user=dev, uploaded_file=File(handle, name="credit-fixed.skops"),
            label="1.1 (audited labels)", task_type=TaskType.BINARY,
            features=material["version"].features,
        )  # fmt: skip
    page.get_by_role("region", name="Open findings").get_by_role(
        "link", name=f"Submit fix on {title}"
    ).click()
    page.wait_for_url(re.compile(rf"/findings/{finding.pk}/#submit-fix$"))
    fix_form = page.get_by_role("form", name="Submit a fix")
    fix_form.get_by_label("What changed").fill(FIX_NOTE)
    shoot("dev-fix-note")
    fix_form.get_by_role("button", name="Submit fix").click()
    expect(flash(page)).to_contain_text("Fix submitted; the quality manager verifies it.")
    expect(fact(page, "Status")).to_have_text("Fix submitted")
    expect(page.locator("ol.history li").last).to_contain_text(
        f"Open → Fix submitted by dev, with the note: {FIX_NOTE}"
    )
    expect(history).to_contain_text("dev took the corrective action")
    shoot("dev-fix-submitted")
    page.get_by_role("button", name="Log out").click()

    # 7. The quality manager: the fix waits in "Fixes to verify", with dev's note.
    log_in(page, base, "qm")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    verify = page.get_by_role("region", name=re.compile("^Fixes to verify"))
    fix_row = verify.get_by_role("row").filter(has_text=title)
    expect(fix_row).to_contain_text(FIX_NOTE)
    expect(fix_row).to_contain_text("by dev")
    shoot("qm-verification-queue")

    # 8. The verification run, launched from the queue, verifies the finding.
    fix_row.get_by_role("link", name=f"Launch a verification run for {title}").click()
    launch = page.get_by_role("form", name="Launch a run")
    launch.get_by_label("Test plan").select_option(label=f"{PLAN_NAME} v1")
    launch.get_by_label("Model version").select_option(str(fixed.pk))
    launch.get_by_label("Evaluation dataset").select_option(str(material["evaluation"].pk))
    shoot("qm-launches-verification")
    launch.get_by_role("button", name="Launch run").click()
    page.wait_for_url(re.compile(rf"/projects/{project.slug}/runs/\d+/$"))
    run = EvaluationRun.objects.get(project=project, model_version=fixed)
    page.get_by_text("Verdict:").wait_for(timeout=RUN_TIMEOUT_MS)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.summary["blocking_failures"] == 0, run.summary
    shoot("verification-run")

    page.goto(f"{base}/findings/{finding.pk}/")
    expect(fact(page, "Status")).to_have_text("Verified")
    expect(page.locator("ol.history")).to_contain_text(f"Fix submitted → Verified by run {run.pk}")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.VERIFIED
    shoot("finding-verified")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.get_by_text("No fix is waiting for verification.")).to_be_visible()
    shoot("qm-queue-empty")

    lines = StatusChange.objects.filter(content_type__model="finding", object_id=finding.pk)
    lines = lines.exclude(kind=HistoryKind.STATUS)
    assert sorted(lines.values_list("kind", "actor__username")) == [
        (HistoryKind.ACTION_TAKEN, "dev"),
        (HistoryKind.ASSIGNMENT, "qm"),
    ]
