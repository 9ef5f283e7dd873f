"""A real `celery beat` process on django-celery-beat's DatabaseScheduler, for tests: the
test settings, the test database and this session's broker, in the environment the
session's worker gets (tests/support/worker.py)."""

import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django_celery_beat.models import PeriodicTask

from tests.support.managed_process import ManagedProcess
from tests.support.worker import CeleryWorkerProcess


class CeleryBeatProcess(ManagedProcess):
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
        self.launch(command, environment)
        first = next(iter(settings.CELERY_BEAT_SCHEDULE))
        deadline = time.monotonic() + timeout
        while not PeriodicTask.objects.filter(name=first).exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"beat did not start:\n{self.log_tail()}")
            time.sleep(0.3)
        return self
