"""The top bar's search in Chromium: reached and used with the keyboard alone, its results
and its messages free of serious axe-core violations and no wider than a laptop's or a
phone's window. (The page audit walks links only, so it never reaches a search.)"""

import pytest

from tests.dashboards.search_setup import SearchableProject
from tests.findings.factories import FindingFactory, ProjectCast
from tests.support.browser import requires_chromium
from tests.support.page_audit import axe_violations, horizontal_overflow

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

LAPTOP, PHONE = (1366, 768), (390, 844)
PASSWORD = "secret-password"  # tests.factories.UserFactory's


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def problems_at_both_widths(page, what: str) -> list[str]:
    found = []
    for width, height in (LAPTOP, PHONE):
        page.set_viewport_size({"width": width, "height": height})
        found += [
            f"{what} at {width}px: {violation['rule']} ({violation['impact']}) {violation['nodes']}"
            for violation in axe_violations(page)
        ]
        if (overflow := horizontal_overflow(page)) > 0:
            found.append(f"{what}: {overflow}px wider than a {width}px window")
    return found


def test_a_viewer_searches_from_the_top_bar_by_keyboard(live_server, page):
    cast = SearchableProject()
    FindingFactory.create_batch(12, project=cast.project, title="Credit drift in income")
    hidden = ProjectCast()
    FindingFactory(project=hidden.project, title="Credit parity gap elsewhere")
    log_in(page, live_server.url, cast.viewer.username)

    for _ in range(30):  # Tab from the top of the page until the search box has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-q":
            break
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("credit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=credit")

    assert page.get_by_role("searchbox", name="Search projects").input_value() == "credit"
    assert page.get_by_role("heading", level=1).inner_text() == "Search results for “credit”"
    findings = page.locator("section", has=page.get_by_role("heading", name="Findings"))
    assert findings.get_by_role("link").count() == 10
    assert "And 3 more findings" in findings.inner_text()
    assert "elsewhere" not in page.locator("main").inner_text()
    problems = problems_at_both_widths(page, "results")

    box = page.get_by_role("searchbox", name="Search projects")
    box.fill(f"#{cast.found.pk}")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=%23{cast.found.pk}")
    page.get_by_role("link", name=f"#{cast.found.pk} Credit parity gap").click()
    page.wait_for_url(f"{live_server.url}/findings/{cast.found.pk}/")

    for query, words in (
        ("", "Type what you are looking for"),
        ("zebra", "Nothing you can see matches"),
        ("x" * 201, "The search is too long"),
    ):
        page.goto(f"{live_server.url}/search/?q={query}")
        assert words in page.locator("main").inner_text()
        problems += problems_at_both_widths(page, f"search {query[:10]!r}")
    assert problems == [], "\n".join(problems)
