"""A worker on another machine (issue 16, point 4): the web process and a Celery worker that
share no folder complete a run together, meeting only through PostgreSQL, Redis and an
S3-compatible store (moto's server), all over TCP.

Each process has its own QUALITI_VAR_DIR (media, scratch folder, temporary files), mode
700. Where the test may (root, as in CI), each process also runs in a mount namespace of
its own in which the other's folder is covered by an empty, unreadable tmpfs: neither can
see the other's files at all. Elsewhere the test checks what each folder holds afterwards.
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from knox.models import AuthToken

from apps.criteria.services import criterion_templates_sync
from apps.testplans.models import TestPlan
from qualiti.demo import data as demo_data
from tests.clients.test_gate_live import approved_fairness_plan, model_file
from tests.findings.factories import ProjectCast
from tests.support.web_server import web_server_process
from tests.support.worker import CeleryWorkerProcess

pytest_plugins = ["tests.support.s3"]  # the S3 server and bucket fixtures
TCP_SERVICES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and (
    settings.CELERY_BROKER_URL.startswith("redis")
)
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not TCP_SERVICES,
        reason="a worker on another machine needs the database and the broker over the "
        "network: SQLite is a file and the embedded broker a folder (this test runs in the "
        "PostgreSQL + Redis suite)",
    ),
]

# Run the command with `folder` covered by an empty tmpfs of mode 000, in a private mount
# namespace (the pid stays the command's: unshare and sh exec, never fork).
HIDE = 'mount -t tmpfs -o size=1m,mode=000 qualiti-hidden "$1" && shift && exec "$@"'


def hiding_prefix(folder: Path) -> list[str]:
    namespace = ["unshare", "--mount", "--propagation", "private", "--"]
    return [*namespace, "sh", "-c", HIDE, "sh", str(folder)]


@cache
def can_hide_folders() -> bool:
    """Whether this process may give a child a mount namespace (root, CAP_SYS_ADMIN)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = [*hiding_prefix(Path(tempfile.gettempdir())), "true"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


@dataclass
class Machine:
    """A process's own folder (its QUALITI_VAR_DIR), and the folder it must not see."""

    folder: Path
    hidden: Path | None = None

    @classmethod
    def make(cls, name: str) -> "Machine":
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=settings.TEST_DIR))  # mode 700
        (folder / "tmp").mkdir()
        return cls(folder=folder)

    def env(self, storage_env: dict[str, str]) -> dict[str, str]:
        return {
            "QUALITI_VAR_DIR": str(self.folder),
            "TMPDIR": str(self.folder / "tmp"),  # uploads' and copies' temporary files
            "HOME": str(self.folder),
            **storage_env,
        }

    def command_prefix(self) -> list[str]:
        """What starts this machine's process blind to the hidden folder, where possible."""
        return hiding_prefix(self.hidden) if self.hidden and can_hide_folders() else []

    def sees(self, folder: Path) -> bool:
        """Whether a process started like this machine's lists any file in `folder`."""
        probe = ["sh", "-c", 'ls -A "$0" | grep -q .', str(folder)]
        return subprocess.run([*self.command_prefix(), *probe], check=False).returncode == 0

    def files(self) -> list[Path]:
        return [path for path in self.folder.rglob("*") if path.is_file()]


def wait_for(client: httpx.Client, path: str, done, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(path).json()
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def uploaded_and_run(api: httpx.Client, *, slug: str, plan_id: int, model: bytes, data: bytes):
    """Upload a model and a dataset through the web process, wait for the dataset's
    validation, launch the plan on them and wait for the run's end: the run as the API
    gives it, and the dataset downloaded back."""
    version = api.post(
        "/api/v1/model-versions/",
        data={"project": slug, "label": "credit 1"},
        files={"artifact": ("credit.skops", model)},
    )
    assert version.status_code == 201, version.text
    fields = {"project": slug, "name": "applicants", "role": "evaluation"}
    fields.update(target_column="repaid", sensitive_columns=["sex"])
    dataset = api.post("/api/v1/datasets/", data=fields, files={"file": ("data.csv", data)})
    assert dataset.status_code == 201, dataset.text
    dataset_path = f"/api/v1/datasets/{dataset.json()['id']}/"
    validated = wait_for(api, dataset_path, lambda d: d["validation_status"] != "validating")
    assert validated["validation_status"] == "valid", validated  # read by the worker
    body = {"project": slug, "test_plan": plan_id, "model_version": version.json()["id"]}
    launched = api.post("/api/v1/runs/", json={**body, "dataset": validated["id"]})
    assert launched.status_code == 201, launched.text
    run = wait_for(
        api,
        f"/api/v1/runs/{launched.json()['id']}/",
        lambda r: r["status"] in ("succeeded", "failed", "cancelled"),
    )
    return run, api.get(f"{dataset_path}download/").content


@pytest.fixture
def machines():
    web, worker = Machine.make("web"), Machine.make("worker")
    web.hidden, worker.hidden = worker.folder, web.folder
    yield web, worker
    for machine in (web, worker):
        shutil.rmtree(machine.folder, ignore_errors=True)


def test_a_worker_sharing_no_folder_with_the_web_completes_a_run(s3_storage, machines, tmp_path):
    host = connection.settings_dict["HOST"]
    assert host and not host.startswith("/"), "PostgreSQL over TCP, not a local socket"
    web, worker = machines
    criterion_templates_sync()  # the transactional tests flush the migrated catalogue
    cast = ProjectCast()
    approved_fairness_plan(cast)
    plan = TestPlan.objects.get(project=cast.project, status="approved")
    _, token = AuthToken.objects.create(user=cast.qm)
    data_path = tmp_path / "applicants.csv"
    demo_data.credit_applicants(1500, seed=2).to_csv(data_path, index=False)
    data, model = data_path.read_bytes(), model_file(tmp_path / "credit.skops", 0.0).read_bytes()
    remote = CeleryWorkerProcess(
        name="remote-worker",
        extra_env=worker.env(s3_storage.env),
        command_prefix=worker.command_prefix(),
    )
    server = web_server_process(
        tmp_path / "web.log",
        extra_env=web.env(s3_storage.env),
        command_prefix=web.command_prefix(),
    )
    headers = {"Authorization": f"Token {token}"}

    with server as (_, url), httpx.Client(base_url=url, headers=headers, timeout=120) as api:
        remote.start()
        try:
            run, downloaded = uploaded_and_run(
                api, slug=cast.project.slug, plan_id=plan.pk, model=model, data=data
            )
        finally:
            remote.stop()

    assert run["status"] == "succeeded", f"{run}\n{remote.log_tail()}"
    assert run["verdict"] in ("pass", "pass_with_warnings")
    assert downloaded == data  # through the web's permission-checked view
    # What went where: the files in the bucket only; the worker's copies in its folder.
    assert len(s3_storage.object_keys()) == 2
    assert not [path for path in worker.files() + web.files() if path.read_bytes() in (data, model)]
    assert list(worker.folder.rglob("work")), "the worker copied its files into its folder"
    assert not list(web.folder.rglob("work")), "the web process never read files to run them"
    if can_hide_folders():  # and neither could have looked into the other's folder
        assert web.sees(web.folder) and not worker.sees(web.folder)
        assert worker.sees(worker.folder) and not web.sees(worker.folder)
