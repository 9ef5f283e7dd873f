"""The launcher keeps the app up: a dead child is started again after a back-off, one that
keeps dying stops everything with a message; and, through a real `make run`, a worker
killed with SIGKILL mid-run is replaced and its run finished by the sweeper."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qualiti import launcher
from tests.qualiti.test_launcher import (
    ROOT,
    embedded_environment_prepare,
    get,
    processes_with_marker,
)


def sleeper(name: str = "sleeper") -> launcher.Service:
    return launcher.Service(name, [sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_dead_child_is_started_again_after_its_back_off(capsys):
    service = sleeper()
    service.start()
    first = service.process
    try:
        first.kill()
        first.wait()
        now = time.monotonic()
        launcher.supervise([service], now)
        assert service.process is first  # waiting out the back-off
        launcher.supervise([service], now + launcher.FIRST_BACKOFF_SECONDS)
        assert service.alive
        assert service.process.pid != first.pid
    finally:
        service.signal_group(signal.SIGKILL)
        service.process.wait()
    assert "sleeper exited with -9; starting it again in 0.5 s" in capsys.readouterr().err


def test_a_child_that_keeps_dying_stops_everything_saying_so():
    service = launcher.Service("beat", [sys.executable, "-c", "raise SystemExit(3)"])
    service.start()
    now = time.monotonic()
    with pytest.raises(launcher.GaveUp, match=r"beat died 5 times within 60 s \(last exit"):
        for _ in range(10):
            service.process.wait()
            launcher.supervise([service], now)  # the death
            now += 20  # past any back-off, inside the window
            launcher.supervise([service], now)  # the restart
            now = now - 19.9  # five deaths in well under a minute
    service.process.wait()


def test_deaths_older_than_the_window_are_forgotten():
    service = sleeper()
    for second in (0, 10, 20, 30):
        service.record_death(second)
    assert service.record_death(launcher.DEATH_WINDOW_SECONDS + 5) == 4  # 0 is forgotten


SLOW_MODEL_VERSION = """
import skops.io
from django.core.files.base import ContentFile
from apps.accounts.models import User
from apps.evaluations.services import run_create
from apps.projects.models import Dataset, Project
from apps.projects.services import model_version_create
from apps.testplans.models import TestPlan
from tests.support.reliability_models import SometimesSlowModel
project = Project.objects.get(slug="credit-scoring")
version = model_version_create(
    project=project, user=User.objects.get(username="dev"), label="slow",
    uploaded_file=ContentFile(skops.io.dumps(SometimesSlowModel()), name="slow.skops"),
    task_type="binary",
)
run = run_create(
    project=project, user=User.objects.get(username="qm"),
    test_plan=TestPlan.objects.get(project=project, status="approved"),
    model_version=version,
    dataset=Dataset.objects.filter(project=project, role="evaluation").earliest("id"),
    reference_dataset=Dataset.objects.filter(project=project, role="reference").first(),
    training_dataset=Dataset.objects.filter(project=project, role="train").first(),
)
print(run.pk)
"""


def launcher_children(marker: str, *words: str) -> list[int]:
    """Pids of the marked processes whose command line holds every word."""
    found = []
    for pid in processes_with_marker(marker):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        text = [part.decode(errors="replace") for part in command]
        if all(word in text for word in words):
            found.append(pid)
    return found


def worker_leader(marker: str) -> int | None:
    """The worker's main process: the one whose parent is the launcher itself."""
    launchers = set(launcher_children(marker, "qualiti.launcher"))
    for pid in launcher_children(marker, "worker"):
        stat = Path(f"/proc/{pid}/stat").read_text()
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent in launchers:
            return pid
    return None


def run_row(database: Path, run_id: int) -> tuple[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(
            "SELECT status, attempt FROM evaluations_evaluationrun WHERE id = ?", (run_id,)
        ).fetchone()


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def read_lines(stream, lines: list[str]) -> threading.Thread:
    """Drains a child's output into `lines`, so the child never blocks on a full pipe."""
    thread = threading.Thread(target=lambda: lines.extend(stream), daemon=True)
    thread.start()
    return thread


@pytest.mark.worker
@pytest.mark.timeout(480)
def test_make_run_replaces_a_killed_worker_and_the_sweeper_finishes_its_run(tmp_path):
    env = embedded_environment_prepare(tmp_path)
    env.update(
        QUALITI_RUN_TRUSTED_TYPES="tests.support.reliability_models.SometimesSlowModel",
        QUALITI_TEST_MODEL_SLEEP_SECONDS="6",
        QUALITI_RUN_HEARTBEAT_STALE_SECONDS="4",
        QUALITI_RUN_SWEEP_PERIOD_SECONDS="1",
    )
    marker, base_url = env["QUALITI_LAUNCHER_TEST"], f"http://127.0.0.1:{env['PORT']}"
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    reader = read_lines(make.stdout, output)
    try:
        wait_for(lambda: "Demo logins" in "".join(output), 240, "the banner")
        first_worker = wait_for(lambda: worker_leader(marker), 120, "a worker")
        created = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SLOW_MODEL_VERSION],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        run_id = int(created.stdout.split()[-1])
        database = Path(env["QUALITI_VAR_DIR"]) / "qualiti.sqlite3"
        wait_for(lambda: run_row(database, run_id)[0] == "running", 60, "the run to start")

        os.kill(first_worker, signal.SIGKILL)
        killed_at = time.monotonic()
        second_worker = wait_for(
            lambda: (pid := worker_leader(marker)) not in (None, first_worker) and pid, 10,
            "a new worker",
        )  # fmt: skip
        assert time.monotonic() - killed_at < 10

        def healthy() -> bool:
            status, _, body = get(f"{base_url}/healthz")
            return status == 200 and json.loads(body)["workers"]["count"] == 1

        wait_for(healthy, 30 - (time.monotonic() - killed_at), "/healthz 200")
        status, attempt = wait_for(
            lambda: (row := run_row(database, run_id))[0] in ("succeeded", "failed") and row,
            90,
            "the run to finish",
        )
        assert (status, attempt) == ("succeeded", 2)
        assert make.poll() is None  # the app is still up
        assert second_worker in launcher_children(marker, "worker")
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C reaches make and the launcher
        make.wait(timeout=60)
        reader.join(timeout=10)
    assert "worker exited with -9; starting it again in 0.5 s" in "".join(output)
    time.sleep(0.5)
    assert processes_with_marker(marker) == []
