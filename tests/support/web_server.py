"""A real web server process for integration tests: `manage.py runserver` on a free port of
127.0.0.1, on the test database (as the test's workers are), which a test may stop or start
with an environment and a user of its own (the shared-nothing worker test)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.db import connection

from qualiti.launcher import die_with_parent

ROOT = Path(__file__).resolve().parent.parent.parent


@contextlib.contextmanager
def web_server_process(
    log: Path, *, extra_env: dict | None = None, command_prefix: Sequence[str] = ()
) -> Iterator[tuple[subprocess.Popen, str]]:
    """The server process and its root URL, killed (its whole process group) at the end."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qualiti.settings.test",
        "QUALITI_WORKER_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        **(extra_env or {}),
    }
    command = [
        *command_prefix, sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}",
        "--noreload",
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
