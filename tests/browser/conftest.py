"""The browser fixtures (chromium, page, screenshot) live in tests/support/browser.py and
are defined once, in tests/conftest.py, for every folder: one Playwright per process."""

from tests.support.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path

__all__ = ["ARTIFACTS", "CHROMIUM_ARGS", "chromium_path"]
