"""Page response times on the large seed, served as in production, measured with Locust.

    .venv/bin/python bench/pages_bench.py [--users 10] [--duration 60s] [--warmup 15s]
                                          [--workers 3] [--think 1,3] [--reuse-db]

1. (Re)creates the PostgreSQL database `qualiti_bench` on 127.0.0.1:5432 (user postgres),
   migrates it and loads `manage.py seed_large` (50 projects, 200 runs, 10,000 findings)
   under the development settings, the only ones that allow load data.
2. Under the production settings: makes a revision of each project's plan (one check
   fewer, so "what changed" has something to show), logs the seed users in by creating
   their sessions server-side, and picks the ids the pages need into a JSON file.
3. Collects the static files and starts gunicorn (`qualiti.wsgi`, production settings,
   DEBUG off, a random 64-character SECRET_KEY) on a free port of 127.0.0.1. Plain HTTP,
   so `SECURE_SSL_REDIRECT=false`; the session cookie is set by Locust itself (it is
   `Secure` in production and would not be sent back over http).
4. Runs Locust headless (bench/locustfile.py) once briefly to warm up, then for the
   measured run, and prints a table per page: Locust's times (end to end, queueing for a
   free worker included) and gunicorn's own time in the worker (from its access log).
   The verdict is on Locust's 95th percentile against 300 ms.

Stops the gunicorn it started; the bench database is kept for `--reuse-db` and looking
into slow pages (drop it with `dropdb -h 127.0.0.1 -U postgres qualiti_bench`).
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
DB_HOST, DB_PORT, DB_USER, DB_NAME = "127.0.0.1", 5432, "postgres", "qualiti_bench"
TARGET_MS = 300
SEED_USERS = ["large-qm", "large-manager", "large-viewer"]


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{result.stdout[-3000:]}"
                         f"{result.stderr[-3000:]}")  # fmt: skip
    return result


def psql(sql: str, database: str = "postgres") -> None:
    run(["psql", "-h", DB_HOST, "-p", str(DB_PORT), "-U", DB_USER, "-d", database,
         "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], env=os.environ.copy())  # fmt: skip


def database_exists() -> bool:
    result = subprocess.run(
        ["psql", "-h", DB_HOST, "-p", str(DB_PORT), "-U", DB_USER, "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],  # noqa: S608 - a constant
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip() == "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environments(tmp: Path) -> tuple[dict, dict]:
    """The development environment (seeding) and the production one (everything else)."""
    common = os.environ.copy()
    common.update(
        DATABASE_URL=f"postgres://{DB_USER}@{DB_HOST}:{DB_PORT}/{DB_NAME}",
        QUALITI_VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",  # no page sends a task
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    common.pop("DEBUG", None)
    development = {**common, "DJANGO_SETTINGS_MODULE": "qualiti.settings.development"}
    production = {
        **common,
        "DJANGO_SETTINGS_MODULE": "qualiti.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1, no TLS proxy in front
        "SECURE_HSTS_SECONDS": "0",
    }
    return development, production


def prepare_inside_django(out: Path) -> None:
    """Runs under the production settings: plan revisions, sessions and the pages' ids."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from apps.accounts.models import User
    from apps.evaluations.models import EvaluationRun
    from apps.findings.models import Finding
    from apps.projects.models import Dataset, ModelVersion, Project
    from apps.projects.selectors import project_list_visible
    from apps.testplans.models import PlanStatus, TestPlan
    from apps.testplans.services import plan_check_remove, test_plan_revise

    if settings.DEBUG:
        raise SystemExit("The bench must run with DEBUG off.")

    def ids(queryset) -> list[int]:
        return list(queryset.order_by("pk").values_list("pk", flat=True))

    qm = User.objects.get(username="large-qm")
    projects = {}
    for project in Project.objects.filter(slug__startswith="large-").order_by("slug"):
        approved = TestPlan.objects.get(project=project, status=PlanStatus.APPROVED)
        draft = test_plan_revise(plan=approved, user=qm)
        if draft.checks.count() == approved.checks.count():
            plan_check_remove(user=None, check=draft.checks.order_by("-position").first())
        finding_ids = ids(Finding.objects.filter(project=project))
        projects[project.slug] = {
            "plan": approved.pk,
            "draft": draft.pk,
            "runs": ids(EvaluationRun.objects.filter(project=project)),
            "versions": ids(ModelVersion.objects.filter(project=project)),
            "datasets": ids(Dataset.objects.filter(project=project)),
            "findings": finding_ids[:: max(1, len(finding_ids) // 20)],
        }

    def login(user: User) -> dict:
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        visible = project_list_visible(user=user).filter(slug__startswith="large-")
        return {
            "username": user.username,
            "session": session.session_key,
            "projects": sorted(visible.values_list("slug", flat=True)),
        }

    devs = User.objects.filter(username__startswith="large-dev-").order_by("username")
    users = {name.removeprefix("large-"): login(User.objects.get(username=name))
             for name in SEED_USERS}  # fmt: skip
    users["devs"] = [login(dev) for dev in devs]
    out.write_text(json.dumps({"projects": projects, "users": users}, indent=1))


def wait_until_up(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start; see its log above.")
        try:
            login = f"{base_url}/accounts/login/"  # http://127.0.0.1:<port>
            with urllib.request.urlopen(login, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within a minute.")


def locust(env: dict, base_url: str, users: int, duration: str, csv_prefix: Path) -> None:
    command = [str(VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(users), "-t", duration, "--host", base_url,
               "--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING",
               "--stop-timeout", "10"]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: some requests failed, reported in the table
        raise SystemExit(f"locust failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def server_times(access_log: Path, since: int) -> dict[str, list[float]]:
    """Milliseconds in the gunicorn worker per page, from the access log after `since`."""
    times = defaultdict(list)
    with access_log.open() as log:
        log.seek(since)
        for line in log:
            parts = line.strip().split("|")
            if len(parts) == 3 and parts[0] not in ("", "-"):
                times[parts[0]].append(int(parts[2]) / 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def table(stats_csv: Path, server: dict[str, list[float]]) -> list[str]:
    rows = list(csv.DictReader(stats_csv.open()))
    lines = [
        "| page | requests | failures | p50 ms | p95 ms | max ms | server p95 ms "
        "| p95 / 300 ms | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = row["Name"]
        p95 = float(row["95%"])
        in_worker = (server.get(name, []) if name != "Aggregated"
                     else [t for times in server.values() for t in times])  # fmt: skip
        verdict = "OK" if p95 < TARGET_MS else "OVER"
        lines.append(
            f"| {name if name != 'Aggregated' else '**all pages**'} | {row['Request Count']} "
            f"| {row['Failure Count']} | {float(row['50%']):.0f} | {p95:.0f} "
            f"| {float(row['Max Response Time']):.0f} "
            f"| {percentile(in_worker, 0.95) if in_worker else float('nan'):.0f} "
            f"| {p95 / TARGET_MS:.2f} | {verdict} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--duration", default="60s", help="Locust's -t of the measured run")
    parser.add_argument("--warmup", default="15s", help="Locust's -t of the warm-up run")
    parser.add_argument(
        "--workers",
        type=int,
        default=3,
        help="gunicorn workers (3, as in docker-compose.yml and the Dockerfile)",
    )
    parser.add_argument(
        "--think", default="1,3", help="seconds each user waits between pages, min,max (0 for none)"
    )
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="keep an already seeded qualiti_bench instead of recreating it",
    )
    parser.add_argument("--prepare-into", type=Path, help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()
    if args.prepare_into:
        prepare_inside_django(args.prepare_into)
        return

    tmp = Path(tempfile.mkdtemp(prefix="qualiti-pages-bench-"))
    development, production = environments(tmp)
    manage = [PYTHON, "manage.py"]
    started = time.monotonic()
    if not (args.reuse_db and database_exists()):
        print(f"Database {DB_NAME}: recreating, migrating, seeding (seed_large)…", flush=True)
        psql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{DB_NAME}"')
        run([*manage, "migrate", "--no-input"], development)
        print("  " + run([*manage, "seed_large"], development).stdout.strip().splitlines()[0])
        # Production's autovacuum would have analysed the new rows; this server may run
        # with autovacuum off, and stale statistics would make the planner's choices ours.
        psql("ANALYZE", database=DB_NAME)
    else:
        run([*manage, "migrate", "--no-input"], development)
        print(f"Database {DB_NAME}: reused.")
    data = tmp / "bench-data.json"
    run([PYTHON, str(HERE / "pages_bench.py"), "--prepare-into", str(data)], production)
    run([*manage, "collectstatic", "--no-input"], production)
    print(f"Prepared in {time.monotonic() - started:.0f} s.", flush=True)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    access_log, error_log = tmp / "access.log", tmp / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "qualiti.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "120",
         "--access-logfile", str(access_log),
         "--access-logformat", "%({x-bench-page}i)s|%(s)s|%(D)s",
         "--error-logfile", str(error_log)],
        cwd=ROOT, env=production, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(base_url, gunicorn)
        locust_env = {**production, "PAGES_BENCH_DATA": str(data), "PAGES_BENCH_THINK": args.think}
        locust(locust_env, base_url, args.users, args.warmup, tmp / "warmup")
        since = access_log.stat().st_size
        uptime_before = Path("/proc/loadavg").read_text().split()[:3]
        locust(locust_env, base_url, args.users, args.duration, tmp / "pages")
        uptime_after = Path("/proc/loadavg").read_text().split()[:3]
        time.sleep(1)  # the access log's last lines
        server = server_times(access_log, since)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    print()
    print(f"gunicorn {args.workers} workers (sync), {os.cpu_count()} cores, "
          f"{postgres_version()}, DEBUG off (qualiti.settings.production), {args.users} users "
          f"(spawned at once), think time {args.think.replace(',', ' to ')} s, {args.duration} "
          f"measured after a {args.warmup} warm-up, seed_large data")  # fmt: skip
    print(
        f"load average (1, 5, 15 min) before: {' '.join(uptime_before)}, "
        f"after: {' '.join(uptime_after)}"
    )
    print()
    print("\n".join(table(tmp / "pages_stats.csv", server)))
    failures = tmp / "pages_failures.csv"
    failed = list(csv.DictReader(failures.open())) if failures.exists() else []
    for row in failed:
        print(f"  failure: {row['Name']}: {row['Error']} ({row['Occurrences']} times)")
    over = [r["Name"] for r in csv.DictReader((tmp / "pages_stats.csv").open())
            if r["Name"] != "Aggregated" and float(r["95%"]) >= TARGET_MS]  # fmt: skip
    print(f"\nOver {TARGET_MS} ms at p95: {', '.join(over) if over else 'none'}.")
    for bulky in ("static", "var", "media"):
        shutil.rmtree(tmp / bulky, ignore_errors=True)
    print(f"Locust CSVs, gunicorn logs and the ids used in {tmp}")


def postgres_version() -> str:
    result = subprocess.run(
        ["psql", "-h", DB_HOST, "-U", DB_USER, "-d", DB_NAME, "-tAc", "SHOW server_version"],
        capture_output=True, text=True,
    )  # fmt: skip
    return f"PostgreSQL {(result.stdout.split() or ['?'])[0]}"


if __name__ == "__main__":
    main()
