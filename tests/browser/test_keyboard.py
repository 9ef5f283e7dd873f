"""Every page the quality manager and the developer reach, used with the keyboard alone:
Tab reaches every control, and the focused control shows a visible outline."""

import pytest
from django.core.management import call_command

from tests.browser.journey_setup import log_in
from tests.support.browser import requires_chromium
from tests.support.keyboard import walk_with_tab
from tests.support.page_audit import walk_pages

# Four (two) users' walks over every page, with axe-core or the Tab key on each: minutes
# on a busy machine, so more than the suite's 300 s per test.
pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.timeout(1200)]

# Between them they reach every page and every action a demo user has.
KEYBOARD_USERS = ["qm", "dev"]


def test_every_control_on_every_page_is_reached_by_tab_and_shows_its_focus(
    live_server, page, transactional_db
):
    call_command("seed_demo")
    page.set_viewport_size({"width": 1366, "height": 768})
    problems: list[str] = []
    walked = 0
    for username in KEYBOARD_USERS:
        page.context.clear_cookies()
        log_in(page, live_server.url, username)
        for kind, _url in walk_pages(page, live_server.url):
            walk = walk_with_tab(page)
            walked += 1
            problems += [f"{username} {kind}: Tab never reaches {name}" for name in walk.unreached]
            problems += [f"{username} {kind}: no visible focus on {name}" for name in walk.unmarked]

    assert walked >= 50
    assert problems == [], "\n".join(problems)


def test_a_control_hidden_from_the_keyboard_is_caught(live_server, page, transactional_db):
    """The walk itself can fail: a clickable element Tab skips, and a focus with no
    outline, are both reported."""
    call_command("seed_demo")
    log_in(page, live_server.url, "qm")
    page.evaluate(
        """() => {
          const hidden = document.createElement('span');
          hidden.setAttribute('role', 'button'); hidden.textContent = 'Mouse only';
          const plain = document.createElement('a');
          plain.href = '#'; plain.textContent = 'No outline'; plain.style.outline = 'none';
          document.querySelector('main').append(hidden, plain);
        }"""
    )
    walk = walk_with_tab(page)
    assert walk.unreached == ["<span> Mouse only"]
    assert [name.split(" (")[0] for name in walk.unmarked] == ["<a> No outline"]
