"""A process a test starts (worker, beat): logs to a file, its own process group, never
outliving pytest, stopped politely and then for good."""

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from qualiti.launcher import die_with_parent

ROOT = Path(__file__).resolve().parent.parent.parent


class ManagedProcess:
    log_path: Path
    process: subprocess.Popen | None = None

    def launch(self, command: list[str], environment: dict) -> subprocess.Popen:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # no orphan if pytest itself is killed
        )
        return self.process

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
