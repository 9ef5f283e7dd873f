"""`make run`'s foreground supervisor: the web server, a Celery worker and Celery beat.

Each runs as its own process in its own process group. Ctrl-C (or SIGTERM) stops all of
them: a polite SIGTERM to each first, then SIGKILL to each process group for whatever is
still alive after a grace period, so no Qualiti process outlives the launcher. If one of
them dies on its own, the others are stopped too and the launcher exits with an error.
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
from dataclasses import dataclass

GRACE_SECONDS = 10
PR_SET_PDEATHSIG = 1


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

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, start_new_session=True, preexec_fn=die_with_parent
        )

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


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
        Service("beat", [python, "-m", "celery", "-A", "qualiti", "beat", "--loglevel", "INFO"]),
    ]


def wait_until_serving(url: str, running: list[Service], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(service.process.poll() is not None for service in running):
            return False
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 (our own local URL)
            return True
        except urllib.error.HTTPError:
            return True  # the server answered, even if with an error status
        except OSError:
            time.sleep(0.3)
    return False


def stop_all(running: list[Service]) -> None:
    """SIGTERM each leader (the worker then stops its own pool), SIGKILL what lingers."""
    for service in running:
        if service.process.poll() is None:
            service.process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for service in running:
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
    if wait_until_serving(url + "accounts/login/", running):
        import django

        django.setup()
        from apps.projects.demo import DEMO_PASSWORD, DEMO_USERS

        logins = ", ".join(name for name, *_ in DEMO_USERS)
        print(
            f"\n  Qualiti is running at {url}\n"
            f"  Demo logins: {logins} (password: {DEMO_PASSWORD})\n"
            f"  Health: {url}healthz    Press Ctrl-C to stop.\n",
            flush=True,
        )

    exit_code = 0
    while not stopping:
        dead = [service for service in running if service.process.poll() is not None]
        if dead:
            for service in dead:
                print(
                    f"qualiti: {service.name} exited with {service.process.returncode}",
                    file=sys.stderr,
                )
            exit_code = 1
            break
        time.sleep(0.5)
    print("qualiti: stopping web, worker and beat…", flush=True)
    stop_all(running)
    return exit_code


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualiti.settings.development")
    sys.exit(main())
