"""A real `celery beat` process on django-celery-beat's DatabaseScheduler, for tests: the
test settings, the test database and this session's broker, in the environment the
session's worker gets (tests/support/worker.py)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django_celery_beat.models import PeriodicTask

from qualiti.launcher import die_with_parent
from tests.support.worker import CeleryWorkerProcess

ROOT = Path(__file__).resolve().parent.parent.parent


class CeleryBeatProcess:
    def __init__(self, *, name: str = "test-beat") -> None:
        self.log_path = Path(settings.TEST_DIR) / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "CeleryBeatProcess":
        """Start beat and wait until it has copied the settings' schedule into the
        database, the sign that its DatabaseScheduler reads the test database."""
        environment = CeleryWorkerProcess(name="beat-environment").environment()
        command = [
            sys.executable, "-m", "celery", "-A", "qualiti", "beat", "--loglevel", "INFO",
            "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile", "",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # no orphan beat if pytest itself is killed
        )
        first = next(iter(settings.CELERY_BEAT_SCHEDULE))
        deadline = time.monotonic() + timeout
        while not PeriodicTask.objects.filter(name=first).exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"beat did not start:\n{self.log_tail()}")
            time.sleep(0.3)
        return self

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
