"""Fast settings for the test suite, which still keeps a real broker and a real worker.

A test session has an id (`QUALITI_TEST_SESSION`, set here when missing and inherited by
the worker processes the tests start), and everything stateful is its own: a file-based
SQLite test database (never in memory, so a worker process sees the same data), a broker
folder, or a Redis database number. A worker started by the tests gets
`QUALITI_WORKER_DATABASE_NAME`, the name of the test database to use.
"""

import os
import zlib
from pathlib import Path

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, VAR_DIR, celery_transport, env
from .storage import default_storage_backend

DEBUG = False
SECRET_KEY = "qualiti-test-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Under pytest-xdist every test process has its own session: the run's id and its own
# name (gw0, gw1…), which the worker processes it starts inherit with its environment.
_RUN = os.environ.setdefault("QUALITI_TEST_SESSION", str(os.getpid()))
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEST_SESSION = f"{_RUN}-{_XDIST_WORKER}" if _XDIST_WORKER else _RUN
TEST_DIR = VAR_DIR / "test" / TEST_SESSION
TEST_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = TEST_DIR / "media"
QUALITI_WORK_DIR = TEST_DIR / "work"
# The session's folder by default; a bucket when QUALITI_STORAGE_URL is set (the processes
# of the shared-nothing test get it; tests in this process use tests/support/s3.py).
STORAGES = {
    "default": default_storage_backend(env),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(TEST_DIR / "celerybeat-schedule")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DIR / "test.sqlite3")}
if worker_database := env.str("QUALITI_WORKER_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = worker_database


def _session_broker_url(url: str) -> str:
    """A Redis database number of this session's own (1 to 15; 0 is left to development):
    the test processes of one run (gw0, gw1…) take consecutive numbers, never the same."""
    if not url.startswith(("redis://", "rediss://")):
        return url
    index = int(_XDIST_WORKER.removeprefix("gw") or 0)
    default = 1 + (zlib.crc32(_RUN.encode()) + index) % 15
    number = env.int("QUALITI_TEST_REDIS_DB", default=default)
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return f"{base}/{number}"


CELERY_BROKER_URL = _session_broker_url(CELERY_BROKER_URL)
# Celery reads CELERY_BROKER_URL from the environment before its settings; keep the two
# the same, and the worker processes the tests start inherit it.
os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
# A test may start a worker on an embedded broker of its own (the broker tests).
CELERY_BROKER_DIR = Path(env.str("QUALITI_TEST_BROKER_DIR", default=str(TEST_DIR / "broker")))
_transport = celery_transport(CELERY_BROKER_URL, CELERY_BROKER_DIR)
CELERY_BROKER_TRANSPORT = _transport["CELERY_BROKER_TRANSPORT"]
CELERY_BROKER_TRANSPORT_OPTIONS = _transport["CELERY_BROKER_TRANSPORT_OPTIONS"]
CELERY_RESULT_BACKEND = _transport["CELERY_RESULT_BACKEND"]

# Static files come from the app folders (no collectstatic before tests).
STATIC_ROOT = TEST_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
