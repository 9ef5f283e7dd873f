"""Playwright driving Debian's Chromium (never a downloaded browser), headless.

The fixtures are imported once, into tests/conftest.py: a session fixture defined in two
conftest files would be two browsers in one process, and Playwright's sync API refuses a
second one in the same thread."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def chromium_missing() -> bool:
    """Skip a Chromium test where the browser is missing, except in CI, which installs it:
    there the test runs and fails, so a missing browser is never a silent pass."""
    return chromium_path() is None and not os.environ.get("CI")


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser there is a defect
        pytest.skip(message)
    with sync_playwright() as playwright:
        # A persistent context on a fresh, empty profile folder for this session.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield context
        context.close()


# Every Content-Security-Policy violation, reported or enforced, becomes a console error.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
  + ` at ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture
def page(chromium):
    """A page whose console errors (CSP violations included) fail the test; cookies
    cleared between tests."""
    chromium.clear_cookies()
    page = chromium.new_page()
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    page.close()
    assert page.console_errors == [], page.console_errors


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


requires_chromium = pytest.mark.skipif(
    chromium_missing(), reason="Debian's chromium is not installed (apt-get install -y chromium)"
)
