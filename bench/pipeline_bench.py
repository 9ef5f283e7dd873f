"""The CI gate against the engine alone, and the web process's memory during a large upload.

    python bench/pipeline_bench.py [--rows 1000000] [--upload-gb 1] [--postgres]
                                   [--skip-gate] [--skip-upload]

In a temporary folder (its own `QUALITI_VAR_DIR`; `var/` is untouched), on the embedded
default (SQLite, filesystem broker) or, with `--postgres`, on PostgreSQL (a database
`qualiti_pipeline_bench`, recreated) and Redis (database 14): migrates, makes a project,
its quality manager's API token and an approved plan of every catalogue criterion the
engine's default plan judges, then starts gunicorn (production settings, 3 workers) and a
Celery worker (both queues, concurrency 2, as `make run`).

1. Upload to verdict: `qualiti gate --wait` with the bench model, the evaluation data and
   the reference data (first with every file new, then again, when the files are reused),
   against `python -m apps.evaluations.engine` with the same files and the same plan (the
   plan's own document, so both judge exactly the same checks).
2. Web memory: a CSV file of about `--upload-gb` GB is uploaded with `qualiti upload data`
   while the PSS of gunicorn's whole process tree is sampled; the growth is its peak minus
   what it held just before.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
VENV_BIN = Path(sys.executable).parent
PLAN = "Bench gate"
DATABASE = "qualiti_pipeline_bench"
sys.path.insert(0, str(HERE))
from bench_data import SENSITIVE, TARGET, prepare, table  # noqa: E402
from engine_bench import tree_memory_bytes  # noqa: E402

# Catalogue criteria of the engine's default plan that need no training data (the gate
# gives the model, evaluation and reference data), with the dataset roles they read.
SKIPPED_CODES = {"DQ-12"}  # train/evaluation overlap: needs a training dataset


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(tmp: Path, *, postgres: bool) -> dict:
    env = os.environ.copy()
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DEBUG"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="qualiti.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        QUALITI_VAR_DIR=str(tmp / "var"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if postgres:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/14"
    return env


def setup_inside_django(out: Path) -> None:
    """Runs under the bench's settings: the project, its token and the approved plan."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from knox.models import AuthToken

    from apps.accounts.models import OrgRole, User
    from apps.criteria.models import CriterionTemplate
    from apps.criteria.services import criterion_create_from_template, criterion_templates_sync
    from apps.evaluations.engine.defaults import DEFAULT_PLAN
    from apps.evaluations.services.plans import plan_document
    from apps.projects.services.projects import project_create
    from apps.testplans import services as plans

    criterion_templates_sync()
    qm = User.objects.create_user(
        "bench-qm", password=secrets.token_urlsafe(), org_role=OrgRole.QUALITY_MANAGER
    )
    project = project_create(user=qm, name="Pipeline bench")
    plan = plans.test_plan_create(project=project, user=qm, name=PLAN)
    for item in DEFAULT_PLAN:
        code = item.get("criterion")
        if not code or code in SKIPPED_CODES or "regression" in item.get("tasks", ()):
            continue
        template = CriterionTemplate.objects.get(code=code)
        criterion = criterion_create_from_template(project=project, template=template, user=qm)
        roles = ["evaluation", "reference"] if criterion.category == "drift" else ["evaluation"]
        plans.plan_check_add(
            plan=plan, user=qm, criterion=criterion, params=item.get("params"), dataset_roles=roles
        )
    plans.test_plan_approve(plan=plan, user=qm)
    _, token = AuthToken.objects.create(user=qm)
    out.write_text(
        json.dumps({"token": token, "project": project.slug, "plan": plan_document(plan)})
    )


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_until_up(base_url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start; see its log.")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer in time.")


def timed(command: list[str], env: dict, *, trace: bool = False) -> float:
    """Wall seconds of a command; with `trace`, each line it prints, stamped with the
    seconds since it started (where the gate's time goes)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = []
    for line in process.stdout:
        output.append(line)
        if trace:
            print(f"  {time.perf_counter() - started:6.1f} s  {line.rstrip()}", flush=True)
    process.wait()
    elapsed = time.perf_counter() - started
    if process.returncode not in (0, 1):  # 1: a failing verdict, which is still a verdict
        raise SystemExit(f"{command[:4]} exited {process.returncode}:\n{''.join(output)}")
    return elapsed


def large_csv(path: Path, gigabytes: float) -> int:
    """About `gigabytes` GB of the bench table as CSV: one block written again and again."""
    block = table(50_000, seed=17).to_csv(index=False)
    header, body = block.split("\n", 1)
    target = int(gigabytes * 1024**3)
    with path.open("w") as handle:
        handle.write(header + "\n")
        while handle.tell() < target:
            handle.write(body)
    return path.stat().st_size


class PeakSampler(threading.Thread):
    """Samples a process tree's PSS every 50 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_memory_bytes(self.pid))
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--upload-gb", type=float, default=1.0)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL and Redis")
    parser.add_argument("--skip-gate", action="store_true")
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--trace", action="store_true", help="print the gate's lines, timed")
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return setup_inside_django(args.inside)

    prepare(DATA, [args.rows])
    model, reference = DATA / "model.skops", DATA / "reference.parquet"
    data = DATA / f"evaluation-{args.rows}.parquet"
    tmp = Path(tempfile.mkdtemp(prefix="qualiti-pipeline-bench-"))
    env = environment(tmp, postgres=args.postgres)
    if args.postgres:
        for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql],
                           check=True)  # fmt: skip
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=True, stdout=subprocess.DEVNULL)
    python = sys.executable
    run([python, "manage.py", "migrate", "--no-input"], env)
    run([python, "manage.py", "collectstatic", "--no-input"], env)
    facts_path = tmp / "facts.json"
    run([python, str(Path(__file__).resolve()), "--inside", str(facts_path)], env)
    facts = json.loads(facts_path.read_text())
    plan_path = tmp / "plan.json"
    plan_path.write_text(json.dumps(facts["plan"]))

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    logs = (tmp / "gunicorn.log").open("wb"), (tmp / "worker.log").open("wb")
    web = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "qualiti.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--timeout", "900"],
        cwd=ROOT, env=env, stdout=logs[0], stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(
        [python, "-m", "celery", "-A", "qualiti", "worker", "--queues", "default,evaluations",
         "--concurrency", "2", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    client = [str(VENV_BIN / "qualiti"), "--url", base_url, "--token", facts["token"],
              "--no-progress"]  # fmt: skip
    lines = []
    try:
        wait_until_up(base_url, web)
        if not args.skip_gate:
            gate = [*client, "gate", "--project", facts["project"], "--plan", PLAN,
                    "--model", str(model), "--data", str(data), "--reference", str(reference),
                    "--target", TARGET, "--sensitive", SENSITIVE, "--wait",
                    "--timeout", "3600"]  # fmt: skip
            engine = [python, "-m", "apps.evaluations.engine", "--model", str(model),
                      "--data", str(data), "--reference", str(reference), "--target", TARGET,
                      "--sensitive", SENSITIVE, "--plan", str(plan_path)]  # fmt: skip
            alone = timed(engine, env)
            cold = timed([*gate, "--label", "first"], env, trace=args.trace)
            warm = timed([*gate, "--label", "again"], env, trace=args.trace)
            lines += [
                f"{'rows':>10} {'path':<44} {'seconds':>8} {'/ engine':>9}",
                f"{args.rows:>10,} {'engine alone (python -m apps.evaluations.engine)':<44}"
                f" {alone:>8.1f} {1:>9.2f}",
                f"{args.rows:>10,} {'qualiti gate, every file uploaded':<44} {cold:>8.1f}"
                f" {cold / alone:>9.2f}",
                f"{args.rows:>10,} {'qualiti gate, files reused (same sha256)':<44}"
                f" {warm:>8.1f} {warm / alone:>9.2f}",
                "",
            ]
        if not args.skip_upload:
            upload_file = tmp / "large.csv"
            size = large_csv(upload_file, args.upload_gb)
            time.sleep(2)  # gunicorn's workers settle after the gate's requests
            before = tree_memory_bytes(web.pid)
            sampler = PeakSampler(web.pid)
            sampler.start()
            upload = [*client, "upload", "data", str(upload_file), "--project",
                      facts["project"], "--role", "evaluation", "--target", TARGET]  # fmt: skip
            seconds = timed(upload, env)
            sampler.done.set()
            sampler.join()
            growth = (sampler.peak - before) / 1024**2
            lines += [
                f"upload of {size / 1024**3:.2f} GB ({size:,} bytes) in {seconds:.1f} s "
                f"({size / 1024**2 / seconds:.0f} MB/s)",
                f"web processes (gunicorn, 3 workers) PSS before {before / 1024**2:.0f} MB, "
                f"peak {sampler.peak / 1024**2:.0f} MB, growth {growth:.0f} MB (target < 100 MB)",
            ]
    finally:
        backend = "PostgreSQL + Redis" if args.postgres else "SQLite + filesystem broker"
        print(f"\n{backend}, {os.cpu_count()} cores; logs in {tmp}")
        print("\n".join(lines))
        for process in (web, worker):  # the worker may be validating the large upload
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    main()
