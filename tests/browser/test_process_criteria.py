"""A process criterion answered and decided in Chromium: the developer answers with a file,
the quality manager sends it back without a reason (refused beside the field), then with
one (the finding opens), and accepts the next answer (the finding is verified). Each state
of the criterion's page is audited with axe-core (WCAG 2.2 A and AA)."""

import pytest

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.criteria.models import AttestationStatus, Criterion
from apps.findings.models import Finding, FindingStatus
from apps.projects.models import Project
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
    problems = [
        f"{state}: {v['rule']} ({v['impact']}) {v['nodes'][:2]}" for v in axe_violations(page)
    ]
    assert problems == [], "\n".join(problems)


def test_a_process_criterion_is_answered_sent_back_and_accepted_on_its_page(
    live_server, page, screenshot, tmp_path
):
    team = Team.objects.create(name="Model team")
    project = Project.objects.create(name="Credit", slug="credit", development_team=team)
    person("qm", project, ProjectRole.QUALITY_MANAGER)
    dev = person("dev", project, ProjectRole.DEVELOPER)
    team.members.add(dev)
    criterion = Criterion.objects.create(
        project=project, code="PROC-01", name="Intended use approved", category="governance",
        kind="process", question="Is the intended use documented and approved?",
        answered_by_role="developer", evidence_expected="file_or_link", validity_days=365,
        severity="high", rationale="Everything is judged against it.",
        guidance="Write it down and have it approved.",
    )  # fmt: skip
    criterion_url = f"{live_server.url}/projects/credit/criteria/{criterion.pk}/edit/"
    evidence = tmp_path / "intended-use.pdf"
    evidence.write_bytes(b"%PDF-1.7 approved")

    def answer(text: str) -> None:
        page.goto(criterion_url)
        page.get_by_label("Your answer").fill(text)
        page.get_by_label("Evidence file").set_input_files(str(evidence))
        page.get_by_role("button", name="Send the answer").click()
        page.wait_for_load_state()

    log_in(page, live_server.url, "dev")
    page.goto(criterion_url)
    accessible(page, "the answerer's form")
    answer("Approved by the owner on 2 May.")
    assert "sent to the quality manager" in page.locator(".messages").inner_text()
    accessible(page, "an answer waiting")

    page.context.clear_cookies()
    log_in(page, live_server.url, "qm")
    page.goto(criterion_url)
    accessible(page, "the decision forms")
    screenshot(page, "process-criterion-decision")
    page.get_by_role("button", name="Send it back").click()
    page.wait_for_load_state()
    reason = page.get_by_label("Why it is sent back")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.console_errors.clear()  # the refused form answers 400, as it should
    accessible(page, "a refusal without its reason")
    reason.fill("The approval signature is missing.")
    page.get_by_role("button", name="Send it back").click()
    page.wait_for_load_state()
    assert Finding.objects.get(criterion=criterion).status == FindingStatus.OPEN
    accessible(page, "an answer sent back")

    page.context.clear_cookies()
    log_in(page, live_server.url, "dev")
    answer("Signed statement attached.")
    page.context.clear_cookies()
    log_in(page, live_server.url, "qm")
    page.goto(criterion_url)
    page.get_by_role("button", name="Accept the answer").click()
    page.wait_for_load_state()

    assert "holds until" in page.locator(".messages").inner_text()
    assert criterion.attestations.first().status == AttestationStatus.ACCEPTED
    assert Finding.objects.get(criterion=criterion).status == FindingStatus.VERIFIED
    accessible(page, "an accepted answer")
    screenshot(page, "process-criterion-accepted")
    page.goto(f"{live_server.url}/projects/credit/criteria/")
    accessible(page, "the criteria list")
