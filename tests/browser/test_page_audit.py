"""Every page each demo user reaches from home, audited in Chromium: no serious or critical
axe-core violation (WCAG 2.2 A and AA, colour contrast included), and the page no wider
than the window at a laptop's width (1366 by 768) and a phone's (390 by 844).

Each kind of page is pictured at both widths, as the first user to reach it sees it, under
tests/artifacts/pages/ (for people to look at; nothing compares the pictures).
"""

import re

import pytest
from django.core.management import call_command

from tests.browser.journey_setup import log_in
from tests.support.browser import ARTIFACTS, requires_chromium
from tests.support.page_audit import axe_violations, horizontal_overflow, walk_pages

# Four (two) users' walks over every page, with axe-core or the Tab key on each: minutes
# on a busy machine, so more than the suite's 300 s per test.
pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.timeout(1200)]

LAPTOP, PHONE = (1366, 768), (390, 844)
DEMO_USERS = ["qm", "dev", "manager", "viewer"]
MAX_PAGES = 60
PICTURES = ARTIFACTS / "pages"


def size(page, width_height: tuple[int, int]) -> None:
    page.set_viewport_size({"width": width_height[0], "height": width_height[1]})


def audit(page, kind: str) -> list[str]:
    problems = [
        f"{kind}: {violation['rule']} ({violation['impact']}, {violation['help']}) on "
        f"{len(violation['nodes'])} nodes, first {violation['nodes'][:3]}"
        for violation in axe_violations(page)
    ]
    if (overflow := horizontal_overflow(page)) > 0:
        problems.append(f"{kind}: {overflow}px wider than a {LAPTOP[0]}px window")
    return problems


def picture(page, username: str, kind: str, width: int) -> None:
    name = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "home"
    PICTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(PICTURES / f"{name}.{width}.{username}.png"), full_page=True)


def walk_and_audit(page, base_url: str, username: str, pictured: set[str]):
    """Every kind of page the user reaches, each audited at the laptop's width as it is
    first reached, and pictured when no other user's walk pictured it."""
    seen: dict[str, str] = {}
    problems: list[str] = []
    for kind, url in walk_pages(page, base_url, max_pages=MAX_PAGES):
        seen[kind] = url
        problems += audit(page, kind)
        if kind not in pictured:
            picture(page, username, kind, LAPTOP[0])
    return seen, problems


def test_every_page_each_demo_user_reaches_is_accessible_and_fits_a_laptop_and_a_phone(
    live_server, page, transactional_db
):
    call_command("seed_demo")
    problems: list[str] = []
    reached: dict[str, int] = {}
    pictured: set[str] = set()
    for username in DEMO_USERS:
        page.context.clear_cookies()
        size(page, LAPTOP)
        log_in(page, live_server.url, username)
        pages, found = walk_and_audit(page, live_server.url, username, pictured)
        reached[username] = len(pages)
        problems += [f"{username} {problem}" for problem in found]
        size(page, PHONE)
        for kind, url in sorted(pages.items()):
            page.goto(url)
            if (overflow := horizontal_overflow(page)) > 0:
                problems.append(f"{username} {kind}: {overflow}px wider than a {PHONE[0]}px phone")
            if kind not in pictured:
                picture(page, username, kind, PHONE[0])
        pictured |= pages.keys()

    # The walk reaches the pages of the demo project, not only the top bar's.
    assert all(count >= 25 for count in reached.values()), reached
    assert problems == [], "\n".join(problems)
