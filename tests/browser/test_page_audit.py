"""Every page each demo user reaches from home, audited in Chromium: no serious or critical
axe-core violation (WCAG 2.2 A and AA, colour contrast included), and the page no wider
than the window at a laptop's width (1366 by 768) and a phone's (390 by 844)."""

from collections import deque

import pytest
from django.core.management import call_command

from tests.browser.journey_setup import log_in
from tests.support.browser import requires_chromium
from tests.support.page_audit import axe_violations, horizontal_overflow, page_kind, page_links

pytestmark = [pytest.mark.browser, requires_chromium]

LAPTOP, PHONE = (1366, 768), (390, 844)
DEMO_USERS = ["qm", "dev", "manager", "viewer"]
MAX_PAGES = 60


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


def walk_and_audit(page, base_url: str) -> tuple[dict[str, str], list[str]]:
    """Breadth first from home, one URL per kind of page (numbers in the path stand for any
    id), each audited at the laptop's width as it is first reached."""
    seen: dict[str, str] = {}
    problems: list[str] = []
    queue = deque([f"{base_url}/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        kind = page_kind(url)
        if kind in seen:
            continue
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status == 200, f"{url} answered {response.status}"
        seen[kind] = url
        problems += audit(page, kind)
        queue.extend(page_links(page, base_url))
    return seen, problems


def test_every_page_each_demo_user_reaches_is_accessible_and_fits_a_laptop_and_a_phone(
    live_server, page, transactional_db
):
    call_command("seed_demo")
    problems: list[str] = []
    reached: dict[str, int] = {}
    for username in DEMO_USERS:
        page.context.clear_cookies()
        size(page, LAPTOP)
        log_in(page, live_server.url, username)
        pages, found = walk_and_audit(page, live_server.url)
        reached[username] = len(pages)
        problems += [f"{username} {problem}" for problem in found]
        size(page, PHONE)
        for kind, url in sorted(pages.items()):
            page.goto(url)
            if (overflow := horizontal_overflow(page)) > 0:
                problems.append(f"{username} {kind}: {overflow}px wider than a {PHONE[0]}px phone")

    # The walk reaches the pages of the demo project, not only the top bar's.
    assert all(count >= 25 for count in reached.values()), reached
    assert problems == [], "\n".join(problems)
