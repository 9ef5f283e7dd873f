"""`make run`'s launcher, run for real: web, worker and beat come up, and Ctrl-C stops all."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.support.processes import process_entries

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with_marker(marker: str) -> list[int]:
    """Pids of every live process whose environment carries the marker."""
    found = []
    for entry in process_entries():
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"QUALITI_LAUNCHER_TEST={marker}".encode() in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


def get(url: str) -> tuple[int, dict, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def embedded_environment(tmp_path) -> dict:
    return embedded_environment_prepare(tmp_path)


def embedded_environment_prepare(tmp_path: Path) -> dict:
    """The embedded default, as on a fresh clone: no database or broker URL in sight;
    migrated, with the demo data."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DATABASE_URL", "QUALITI_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="qualiti.settings.development",
        QUALITI_VAR_DIR=str(tmp_path / "var"),
        QUALITI_LAUNCHER_TEST=uuid.uuid4().hex,
        PORT=str(free_port()),
    )
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
    return env


def test_it_serves_the_app_and_ctrl_c_leaves_no_process_behind(embedded_environment):
    env = embedded_environment
    base_url = f"http://127.0.0.1:{env['PORT']}"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "qualiti.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            banner.append(line)
            if "Demo logins" in line or launcher.poll() is not None:
                break
        assert f"Qualiti is running at {base_url}/" in "".join(banner)
        assert "admin, qm, dev, viewer, manager (password: qualiti-demo)" in "".join(banner)

        status, headers, _ = get(f"{base_url}/")
        assert status == 302
        assert headers["Location"] == "/accounts/login/?next=/"

        health = None
        while time.monotonic() < deadline:
            status, _, body = get(f"{base_url}/healthz")
            health = json.loads(body)
            if status == 200:
                break
            time.sleep(0.5)
        assert health["status"] == "ok", health
        assert health["database"]["vendor"] == "sqlite"
        assert health["broker"]["transport"] == "filesystem"
        assert health["workers"]["count"] == 1
        assert len(processes_with_marker(env["QUALITI_LAUNCHER_TEST"])) >= 4  # + pool, beat
    finally:
        launcher.send_signal(signal.SIGINT)
        exit_code = launcher.wait(timeout=30)

    assert exit_code == 0
    time.sleep(0.5)
    assert processes_with_marker(env["QUALITI_LAUNCHER_TEST"]) == []
