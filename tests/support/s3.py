"""A real S3-compatible server for the tests: moto's standalone server, a separate process
listening on a free port of 127.0.0.1 (MinIO cannot be installed here; moto's server
mode can, with `pip install moto[server]`).

`s3_server` starts it once per test process; `s3_storage` gives a test a bucket of its own
and points Django's default storage at it, and carries the environment that makes another
process (a web server, a worker) use the same bucket.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import environ
import pytest
from django.conf import settings

from qualiti.launcher import die_with_parent
from qualiti.settings.storage import default_storage_backend

REGION = "us-east-1"
ACCESS_KEY = "qualiti-test"
SECRET_KEY = "qualiti-test-secret"  # moto accepts any pair


class S3ServerProcess:
    """`python -m moto.server` on a free port; answers S3's API over HTTP."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "S3ServerProcess":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # no orphan server if pytest is killed
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client().list_buckets()
                return self
            except Exception as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    message = f"moto's S3 server did not start:\n{self.log_tail()}"
                    raise RuntimeError(message) from error
                time.sleep(0.2)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@dataclass
class S3Bucket:
    """A test's bucket: its name and prefix, a boto3 client, and the environment that
    points Qualiti's storage at it (QUALITI_STORAGE_URL and the AWS_* variables)."""

    server: S3ServerProcess
    name: str
    prefix: str = "qualiti"
    client: Any = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.server.client()

    @property
    def env(self) -> dict[str, str]:
        return {
            "QUALITI_STORAGE_URL": f"s3://{self.name}/{self.prefix}",
            "AWS_S3_ENDPOINT_URL": self.server.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
        }

    def storage_backend(self) -> dict:
        """STORAGES["default"] as the settings build it from this bucket's environment."""
        env = environ.Env()
        env.ENVIRON = self.env  # this environment only, not the process's
        return default_storage_backend(env)

    def object_keys(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        answer = self.client.get_object(Bucket=self.name, Key=key)
        return answer["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data)


_servers: list[S3ServerProcess] = []


@pytest.fixture(scope="session")
def s3_server():
    """One moto S3 server process per test process, stopped at the end of the session."""
    if not _servers:
        _servers.append(S3ServerProcess(Path(settings.TEST_DIR) / "moto-s3.log").start())
    yield _servers[0]
    _servers[0].stop()


@pytest.fixture
def s3_storage(s3_server, settings):
    """A bucket of this test's own, Django's default storage pointing at it."""
    bucket = S3Bucket(s3_server, name=f"qualiti-{uuid.uuid4().hex[:12]}")
    bucket.client.create_bucket(Bucket=bucket.name)
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_backend()}
    return bucket
