"""`make run`'s foreground supervisor: the web server, a Celery worker and Celery beat.

Each runs as its own process in its own process group. A child that dies is started
again after a short back-off (what its dead leader left in its group, such as a worker's
pool processes, is killed first); a child that keeps dying (five times in a minute) stops
everything, saying so. Ctrl-C (or SIGTERM) stops all of them: a polite SIGTERM to each
first, then SIGKILL to each process group for whatever is still alive after a grace
period, so no Qualiti process outlives the launcher.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field

GRACE_SECONDS = 10
PR_SET_PDEATHSIG = 1
# A child that dies this many times within the window is given up on.
DEATHS_BEFORE_GIVING_UP = 5
DEATH_WINDOW_SECONDS = 60.0
# The first restart waits this long, each further death in the window twice as long.
FIRST_BACKOFF_SECONDS = 0.5
POLL_SECONDS = 0.25


def die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it if the launcher itself dies."""
    # Not on Linux: no such call, but Ctrl-C still stops everything through the launcher.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Service:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    deaths: deque = field(default_factory=deque)  # monotonic times of recent deaths
    restart_at: float | None = None

    def start(self) -> None:
        self.restart_at = None
        self.process = subprocess.Popen(
            self.command, start_new_session=True, preexec_fn=die_with_parent
        )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def record_death(self, now: float) -> int:
        """Remember a death; how many fell within the window, this one included."""
        self.deaths.append(now)
        while self.deaths and now - self.deaths[0] > DEATH_WINDOW_SECONDS:
            self.deaths.popleft()
        return len(self.deaths)


def services(host: str, port: str) -> list[Service]:
    python = sys.executable
    return [
        Service("web", [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]),
        Service(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "qualiti",
                "worker",
                "--queues",
                "default,evaluations",
                "--concurrency",
                "2",
                "--hostname",
                "qualiti-worker@%h",
                "--loglevel",
                "INFO",
            ],
        ),
        # Beat reads its schedule from the database (the monitoring schedules' page).
        Service(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "qualiti",
                "beat",
                "--loglevel",
                "INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
            ],
        ),
    ]


class GaveUp(Exception):
    """A child died too often; the message says which."""


def supervise(running: list[Service], now: float) -> None:
    """One look at the children: restart those whose back-off is over, schedule a restart
    for those that just died, and give up on one that keeps dying."""
    for service in running:
        if service.restart_at is not None:
            if now >= service.restart_at:
                service.start()
                print(f"qualiti: {service.name} started again", file=sys.stderr, flush=True)
            continue
        if service.alive or service.process is None:
            continue  # running, or never started (main() starts all first): nothing died
        code = service.process.returncode
        # A dead leader may leave its group behind (a worker's pool processes).
        service.signal_group(signal.SIGKILL)
        deaths = service.record_death(now)
        if deaths >= DEATHS_BEFORE_GIVING_UP:
            raise GaveUp(
                f"qualiti: {service.name} died {deaths} times within "
                f"{DEATH_WINDOW_SECONDS:g} s (last exit status {code}); stopping everything."
            )
        delay = FIRST_BACKOFF_SECONDS * 2 ** (deaths - 1)
        service.restart_at = now + delay
        print(
            f"qualiti: {service.name} exited with {code}; starting it again in {delay:g} s",
            file=sys.stderr,
            flush=True,
        )


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5)  # noqa: S310 (our own local URL)
    except urllib.error.HTTPError:
        return True  # the server answered, even if with an error status
    except OSError:
        return False
    return True


def print_banner(url: str) -> None:
    import django

    django.setup()
    from django.conf import settings

    from qualiti.demo.seed import DEMO_PASSWORD, DEMO_USERS

    logins = ", ".join(name for name, *_ in DEMO_USERS)
    print(
        f"\n  Qualiti is running at {url}\n"
        f"  Demo logins: {logins} (password: {DEMO_PASSWORD})\n"
        f"  Health: {url}healthz    Press Ctrl-C to stop.\n"
        + (
            f"  E-mails are written to files under {settings.EMAIL_FILE_PATH}/\n"
            if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
            else ""
        ),
        flush=True,
    )


def stop_all(running: list[Service]) -> None:
    """SIGTERM each leader (the worker then stops its own pool), SIGKILL what lingers."""
    for service in running:
        if service.process is not None and service.alive:
            service.process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for service in running:
        if service.process is None:
            continue
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        # The group may still hold pool children, even after its leader exited.
        service.signal_group(signal.SIGKILL)
        service.process.wait()


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    running = services(host, port)
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    for service in running:
        service.start()

    browse_host = "127.0.0.1" if host == "0.0.0.0" else host  # noqa: S104 (a comparison)
    url = f"http://{browse_host}:{port}/"
    serving = False
    exit_code = 0
    while not stopping:
        try:
            supervise(running, time.monotonic())
        except GaveUp as error:
            print(error, file=sys.stderr, flush=True)
            exit_code = 1
            break
        if not serving and answers(url + "accounts/login/"):
            serving = True
            print_banner(url)
        time.sleep(POLL_SECONDS)
    print("qualiti: stopping web, worker and beat…", flush=True)
    stop_all(running)
    return exit_code


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualiti.settings.development")
    sys.exit(main())
