"""The catalogue's pack import in Chromium, as an organisation quality manager uses it: a
refused pack lists every problem in an alert tied to the file field, with no accessibility
violation; a sound one is imported and its templates show their pack."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import OrgRole, ProjectRole
from apps.criteria.services import criterion_templates_sync
from tests.browser.journey_setup import log_in
from tests.criteria.pack_texts import acme
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.support.browser import requires_chromium
from tests.support.page_audit import axe_violations

pytestmark = [pytest.mark.browser, requires_chromium]

# Only the pack's own framework: a transactional test may run after the shipped ones went.
REFUSED = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
OWN_REQUIREMENTS = {"[acme-ai-policy/fair-1, eu-ai-act/art-10-2-f]": "[acme-ai-policy/fair-1]"}


def test_a_refused_pack_lists_each_problem_accessibly_and_a_sound_one_is_imported(
    live_server, page, transactional_db
):
    criterion_templates_sync()  # transactional tests flush the migrated catalogue
    user = UserFactory(username="org-qm", org_role=OrgRole.QUALITY_MANAGER)
    user.set_password("qualiti-demo")
    user.save()
    project = ProjectFactory(slug="credit")
    MembershipFactory(user=user, project=project, role=ProjectRole.QUALITY_MANAGER)
    log_in(page, live_server.url, "org-qm")
    page.goto(f"{live_server.url}/projects/credit/criteria/templates/")

    page.get_by_text("Packs: share templates as YAML").click()
    bad = acme({**OWN_REQUIREMENTS, "severity: critical": "severity: urgent"})
    bad = bad.replace(b"check_key: fairness.classification", b"check_key: fairness.nope")
    page.get_by_label("Pack file (YAML)").set_input_files(
        files=[{"name": "acme.yaml", "mimeType": "application/yaml", "buffer": bad}]
    )
    page.get_by_role("button", name="Import the pack").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The pack was refused (2 problems)")
    expect(alert.get_by_role("listitem")).to_have_count(2)
    expect(alert).to_contain_text("Template 1 (FAIR-01), line 9, check_key:")
    expect(page.get_by_label("Pack file (YAML)")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    assert page.console_errors == [REFUSED]  # the page answered 400, as it should
    page.console_errors.clear()

    page.get_by_label("Pack file (YAML)").set_input_files(
        files=[
            {"name": "acme.yaml", "mimeType": "application/yaml", "buffer": acme(OWN_REQUIREMENTS)}
        ]
    )
    page.get_by_role("button", name="Import the pack").click()

    expect(page.get_by_text("Imported the pack acme version 1")).to_be_visible()
    expect(page.locator("#template-acme\\:FAIR-01")).to_contain_text("acme:FAIR-01")
    assert axe_violations(page) == []
    assert page.console_errors == []
