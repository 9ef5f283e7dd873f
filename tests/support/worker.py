"""A real Celery worker process for integration tests.

The worker runs the test settings, consumes every queue of this test session's own broker
(folder or Redis database), or only the queues it is given, and reads the test database,
whose name it is given. Extra environment variables reach its settings (django-environ).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import connection

from qualiti.celery import app as celery_app
from tests.support.managed_process import ManagedProcess


class CeleryWorkerProcess(ManagedProcess):
    def __init__(
        self,
        *,
        name: str,
        concurrency: int = 1,
        extra_env: dict | None = None,
        queues: Sequence[str] | None = None,
        command_prefix: Sequence[str] = (),  # e.g. unshare: a mount namespace of its own
    ):
        self.command_prefix = list(command_prefix)
        self.hostname = f"{name}@{settings.TEST_SESSION}"
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.queues = list(queues or settings.CELERY_WORKER_QUEUES)
        self.process: subprocess.Popen | None = None
        self.log_path = Path(settings.TEST_DIR) / f"{name}.log"

    def environment(self) -> dict:
        env = os.environ.copy()
        env.update(
            DJANGO_SETTINGS_MODULE="qualiti.settings.test",
            QUALITI_WORKER_DATABASE_NAME=str(connection.settings_dict["NAME"]),
            **self.extra_env,
        )
        return env

    def start(self, timeout: float = 60) -> "CeleryWorkerProcess":
        queues = ",".join(self.queues)
        command = [
            *self.command_prefix,
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qualiti",
            "worker",
            "--queues",
            queues,
            "--concurrency",
            str(self.concurrency),
            "--hostname",
            self.hostname,
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ]
        # Tasks queued by earlier tests (their rows long flushed) would only delay ours.
        celery_app.control.purge()
        self.launch(command, self.environment())
        try:
            self.wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_tail()}")
            replies = celery_app.control.ping(destination=[self.hostname], timeout=0.5)
            if replies:
                return
        raise RuntimeError(f"worker did not answer a ping in {timeout}s:\n{self.log_tail()}")

    def consume(self, *, on: bool, timeout: float = 30) -> None:
        """Start or stop taking messages from the worker's queues (Celery's add_consumer and
        cancel_consumer), each confirmed by the worker's reply."""
        command = celery_app.control.add_consumer if on else celery_app.control.cancel_consumer
        for queue in self.queues:
            deadline = time.monotonic() + timeout
            while not command(queue, destination=[self.hostname], reply=True, timeout=1):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"worker did not confirm consuming={on} on {queue}")

    def settle(self, timeout: float = 90) -> None:
        """Stop consuming and wait until the worker runs nothing, so a test's flush never
        races a task still writing (PostgreSQL answers that race with a deadlock). Tasks
        waiting for their countdown are revoked and whatever is left queued is purged."""
        if self.process is None or self.process.poll() is not None:
            return
        self.consume(on=False)
        inspector = celery_app.control.inspect(destination=[self.hostname], timeout=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            scheduled = inspector.scheduled() or {}
            waiting = [entry["request"]["id"] for entry in scheduled.get(self.hostname, [])]
            if waiting:
                celery_app.control.revoke(waiting)
            busy = [
                task
                for replies in (inspector.active(), inspector.reserved())
                for task in (replies or {}).get(self.hostname, [])
            ]
            if not busy:
                break
            time.sleep(0.2)
        celery_app.control.purge()

    def ping(self, timeout: float = 2) -> bool:
        """Whether the worker answers a broadcast ping."""
        return bool(celery_app.control.ping(destination=[self.hostname], timeout=timeout))

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (main process and pool), as a crash or
        the OOM killer would: no `finally`, no acknowledgement, no goodbye."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
