"""Production settings are checked in fresh interpreters, as a deployment would load them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD_KEY = "k" * 20 + "-production-key-of-enough-length-and-variety-0123456789"


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(DJANGO_SETTINGS_MODULE="qualiti.settings.production", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key():
    result = manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_secret_key():
    result = manage("check", SECRET_KEY="short")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_with_debug_on():
    result = manage("check", SECRET_KEY=GOOD_KEY, DEBUG="true")

    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_check_deploy_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", SECRET_KEY=GOOD_KEY)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_demo_data_is_refused_in_production(tmp_path):
    database = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    migrate = manage("migrate", "--no-input", SECRET_KEY=GOOD_KEY, DATABASE_URL=database)
    assert migrate.returncode == 0, migrate.stderr

    result = manage("seed_demo", SECRET_KEY=GOOD_KEY, DATABASE_URL=database)

    assert result.returncode != 0
    assert "never created under production settings" in result.stderr
