import os
import shutil

import pytest
from django.conf import settings

from tests.support.browser import chromium, page, screenshot  # noqa: F401 - fixtures, once
from tests.support.clock import clock_on_collection_day  # noqa: F401 - a fixture
from tests.support.worker import CeleryWorkerProcess

# One id for the whole run, set before pytest-xdist starts its test processes, so they
# share it and tell themselves apart by their own names (see qualiti/settings/test.py).
os.environ.setdefault("QUALITI_TEST_SESSION", str(os.getpid()))

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in a thread with a running loop unless told it is safe (it is: the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """The session's one real worker process, consuming every queue of its broker only
    while a test that asks for `celery_worker` runs."""
    with django_db_blocker.unblock():
        worker = CeleryWorkerProcess(name="test-worker").start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(transactional_db, celery_worker_process):
    """A real worker process consuming every queue of this session's broker, for this test.

    The test runs on `transactional_db`, so the worker sees committed rows. Set up after
    the database and so torn down before its flush: the worker stops taking messages and
    finishes what it runs first, and what is left queued is dropped.
    """
    celery_worker_process.consume(on=True)
    yield celery_worker_process
    celery_worker_process.settle()


def pytest_sessionfinish(session, exitstatus):
    """Remove this session's own broker folder and files (the test database is dropped)."""
    if exitstatus == 0 and not os.environ.get("QUALITI_KEEP_TEST_DIR"):
        shutil.rmtree(settings.TEST_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """State plainly how many integration tests ran against a real worker and browser."""
    for marker, label in (("worker", "real Celery worker"), ("browser", "Chromium browser")):
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for outcome in counts:
            for report in terminalreporter.stats.get(outcome, []):
                if report.when in ("call", "setup") and marker in report.keywords:
                    if outcome == "passed" and report.when != "call":
                        continue
                    counts[outcome] += 1
        if any(counts.values()):
            terminalreporter.write_line(
                f"integration tests with a {label}: {counts['passed']} passed, "
                f"{counts['failed']} failed, {counts['skipped']} skipped"
            )
