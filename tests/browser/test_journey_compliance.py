"""The quality manager's compliance journey in Chromium: a new project follows the EU AI
Act, its Compliance tab shows every requirement uncovered, the templates a gap suggests are
added in one step, the developer answers the process criterion with a file, the quality
manager accepts it, and the requirement turns satisfied. Each state is audited with
axe-core and pictured under tests/artifacts/."""

import pytest

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.criteria.models import Criterion
from apps.criteria.services import criterion_templates_sync
from apps.projects.models import Project
from apps.standards.models import Framework, Requirement
from apps.standards.services import frameworks_sync, project_framework_choose
from qualiti.demo.seed import DEMO_PASSWORD
from tests.browser.journey_setup import log_in
from tests.support.browser import requires_chromium
from tests.support.page_audit import axe_violations

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def person(username: str, project: Project, role: str) -> User:
    user = User(username=username, email=f"{username}@example.com")
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, project=project, role=role)
    return user


def accessible(page, state: str) -> None:
    problems = [f"{state}: {v['rule']} {v['nodes'][:2]}" for v in axe_violations(page)]
    assert problems == [], "\n".join(problems)


def test_the_quality_manager_closes_a_gap_of_the_eu_ai_act_and_sees_the_coverage_change(
    live_server, page, screenshot, tmp_path
):
    criterion_templates_sync()  # transactional tests flush the migrated catalogue
    frameworks_sync()
    team = Team.objects.create(name="Lending team")
    project = Project.objects.create(name="Lending", slug="lending", development_team=team)
    qm = person("qm", project, ProjectRole.QUALITY_MANAGER)
    dev = person("dev", project, ProjectRole.DEVELOPER)
    team.members.add(dev)
    project_framework_choose(
        project=project, framework=Framework.objects.get(identifier="eu-ai-act"), user=qm
    )
    logging = Requirement.objects.get(framework__identifier="eu-ai-act", identifier="art-12")
    compliance = f"{live_server.url}/projects/lending/compliance/?framework=eu-ai-act"
    row = page.locator(f"#requirement-{logging.pk}")
    evidence = tmp_path / "logging-design.pdf"
    evidence.write_bytes(b"%PDF-1.7 how the service logs every decision")

    log_in(page, live_server.url, "qm")
    page.goto(compliance)
    assert row.locator(".badge").inner_text() == "Not covered"
    assert "PROC-03" in row.inner_text()
    accessible(page, "a new project")
    screenshot(page, "compliance-1-new-project")

    row.get_by_role("button", name="Add these templates").click()
    page.wait_for_load_state()
    assert row.locator(".badge").inner_text() == "Failing"
    assert "PROC-03 not answered yet" in row.inner_text()
    process = Criterion.objects.get(project=project, code="PROC-03")
    screenshot(page, "compliance-2-gap-filled")

    page.context.clear_cookies()
    log_in(page, live_server.url, "dev")
    page.goto(f"{live_server.url}/projects/lending/criteria/{process.pk}/edit/")
    page.get_by_label("Your answer").fill("Every decision is logged with its inputs; see p. 3.")
    page.get_by_label("Evidence file").set_input_files(str(evidence))
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()

    page.context.clear_cookies()
    log_in(page, live_server.url, "qm")
    page.goto(f"{live_server.url}/projects/lending/criteria/{process.pk}/edit/")
    accessible(page, "an answer waiting")
    page.get_by_role("button", name="Accept the answer").click()
    page.wait_for_load_state()

    page.goto(compliance)
    assert row.locator(".badge").inner_text() == "Satisfied"
    accessible(page, "the gap closed")
    screenshot(page, "compliance-3-satisfied")
