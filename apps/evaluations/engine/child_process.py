"""The sandbox family's process: `python -m <module> CONFIG`, spoken to in JSON lines.

The child limits its own memory (and CPU time, when asked) before it reads a byte of
untrusted input; here the parent bounds each wait by wall time, kills the child's whole
session on a timeout, and turns a death into one sentence. The child runs in its own
session, in a folder of its own, and Linux kills it if the thread that started it dies
(PR_SET_PDEATHSIG), so a worker killed mid-run leaves no model behind.

The child is a plain `python -m` subprocess rather than a multiprocessing spawn: spawn
re-imports the parent's `__main__` (pytest, Celery), and the thread-count variables must
be in the environment before the child imports numpy.
"""

import contextlib
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

from apps.evaluations.engine.errors import ArtifactRefused, EngineError, ModelCrashed
from apps.evaluations.engine.model_folder import ModelFolder

_PR_SET_PDEATHSIG = 1
# The folder holding the `apps` package, so the child imports it from any working directory.
_PROJECT_ROOT = Path(__file__).resolve().parents[3]
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


MODEL_PROCESS_MODULE = "apps.evaluations.engine.runner_child"


@dataclass(frozen=True)
class SandboxLimits:
    memory_mb: int = 4096  # address space of the child (RLIMIT_AS)
    load_timeout_s: float = 120.0
    predict_timeout_s: float = 900.0  # per dataset
    threads: int = 1  # one thread avoids OpenMP contention on small machines
    batch_rows: int = 16_384
    # The evaluation data, predicted while the data checks run, go in larger batches: a
    # pipeline's fixed cost per call (per tree, per step) then weighs less. 65,536 rows
    # held some 25 MB more in the model's process than 32,768 at a million rows, when the
    # run peaks, and were no faster on the bench's model (alternated runs, one thread).
    # As many rows as fit in `evaluation_batch_mb` of Arrow data, never fewer than
    # `batch_rows`: wide data keep the usual batches.
    evaluation_batch_rows: int = 32_768
    evaluation_batch_mb: int = 16
    cpu_seconds: float | None = None  # CPU time of the whole child (RLIMIT_CPU), if any

    def child_config(self) -> dict[str, Any]:
        """What the model's process is started with (it limits itself by it)."""
        return {
            "memory_mb": self.memory_mb,
            "threads": self.threads,
            "batch_rows": self.batch_rows,
            "cpu_seconds": self.cpu_seconds,
        }


def _die_with_parent() -> None:
    """In the child before exec: Linux kills it if its parent (a worker) is killed, so a
    model never outlives the run it served. Elsewhere the timeouts still bound it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ChildProcess:
    """One child; `failure` is sticky: after a crash every request gets the same error."""

    def __init__(self, module: str, config: dict[str, Any], *, threads: int) -> None:
        self.module = module
        self.config = config
        self.threads = threads
        self._folder = ModelFolder()
        self.folder = self._folder.path
        self.failure: EngineError | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.first_request: dict[str, Any] | None = None  # sent by `start_early`
        self._unread = b""

    def start(self) -> None:
        environment = dict(os.environ)
        environment.update({name: str(self.threads) for name in _THREAD_VARIABLES})
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PROJECT_ROOT), environment.get("PYTHONPATH")])
        )
        self._stderr = (self.folder / "stderr.log").open("wb")
        try:
            self.process = subprocess.Popen(  # noqa: S603 (our own module, no shell)
                [sys.executable, "-s", "-m", self.module, json.dumps(self.config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=self.folder,
                env=environment,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except BaseException:
            self._stderr.close()
            raise

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def send(self, request: dict[str, Any], stage: str) -> None:
        if self.failure is not None:
            raise self.failure
        stdin = _pipe(self._running().stdin)
        try:
            stdin.write((json.dumps(request) + "\n").encode())
            stdin.flush()
        except BrokenPipeError:
            self._fail(self._death(stage))

    def answered(self) -> bool:
        """Whether a reply is ready to be read without waiting."""
        return b"\n" in self._unread or bool(
            select.select([_pipe(self._running().stdout).fileno()], [], [], 0)[0]
        )

    def reply(self, timeout: float, stage: str) -> dict[str, Any]:
        """The next reply; a refusal or the model's own error raises EngineError, running
        out of memory, time or life raises ModelCrashed (and the child is gone)."""
        if self.failure is not None:
            raise self.failure
        reply: dict[str, Any] = json.loads(self._read_line(timeout, stage))
        if reply["ok"]:
            return reply
        if reply["kind"] == "refused":
            raise EngineError(reply["message"])
        if reply["kind"] == "artifact":
            raise ArtifactRefused(reply["message"])
        if reply["kind"] == "memory":
            self._fail(
                ModelCrashed(
                    f"The model ran out of memory while {stage}: the sandbox allows "
                    f"{self.config['memory_mb']} MB ({reply['message']}).",
                    cause="memory",
                )
            )
        raise EngineError(f"The model failed while {stage}: {reply['message']}")

    def interrupt(self) -> None:
        """Kill the child from another thread: the reply being waited for then fails as
        a crash, and `close` cleans up as usual."""
        process = self.process
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def close(self) -> None:
        """Ask the child to exit, kill it if it does not within 5 s (or if an exception is
        raised into the wait), and remove its folder."""
        process, self.process = self.process, None
        if process is not None:
            try:
                if process.poll() is None:
                    stdin = _pipe(process.stdin)
                    stdin.write(b'{"op": "exit"}\n')
                    stdin.flush()
                    process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            finally:
                if process.returncode is None:
                    self._kill(process)
            for stream in (process.stdin, process.stdout):
                with contextlib.suppress(OSError):  # a dead child leaves a broken pipe
                    _pipe(stream).close()
            self._stderr.close()
        self._folder.remove()  # also when it never started

    def _read_line(self, timeout: float, stage: str) -> bytes:
        deadline = time.monotonic() + timeout
        process = self._running()
        descriptor = _pipe(process.stdout).fileno()
        buffer = self._unread  # replies are lines; a read may bring more than one
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill(process)
                self._fail(
                    ModelCrashed(
                        f"The model took longer than {timeout:g} s while {stage} and was stopped.",
                        cause="timeout",
                    )
                )
            ready, _, _ = select.select([descriptor], [], [], remaining)
            if ready:
                chunk = os.read(descriptor, 1 << 16)
                if not chunk:
                    self._fail(self._death(stage))
                buffer += chunk
        line, _, self._unread = buffer.partition(b"\n")
        return line

    def _death(self, stage: str) -> ModelCrashed:
        process = self._running()
        try:
            code: int | None = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill(process)
            code = process.returncode
        cause = "crash"
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            how = f"its process was killed by {name}"
            if name == "SIGKILL":
                how += ", often the system running out of memory"
            elif name == "SIGXCPU":
                how, cause = "it used more CPU time than the sandbox allows", "cpu"
        else:
            how = f"its process exited with status {code}{self._last_error_line()}"
        return ModelCrashed(f"The model crashed while {stage} ({how}).", cause=cause)

    def _last_error_line(self) -> str:
        try:
            lines = (self.folder / "stderr.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return f": {lines[-1][:300]}" if lines else ""

    def _running(self) -> subprocess.Popen[bytes]:
        """The child's process: the parent speaks to it only between `start` and `close`."""
        if self.process is None:
            raise RuntimeError("the model's process is not running")
        return self.process

    def _fail(self, error: EngineError) -> NoReturn:
        self.failure = error
        raise error

    @staticmethod
    def _kill(process: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


_early: list[ChildProcess] = []


def start_early(
    module: str, config: dict[str, Any], threads: int, first_request: dict[str, Any]
) -> None:
    """Start a child now and send it its first request (its imports): the command line
    does so before importing its own libraries. `adopt_early` hands it to the first
    caller asking for the same module, configuration, threads and first request."""
    child = ChildProcess(module, config, threads=threads)
    _early.append(child)
    child.start()
    child.send(first_request, "starting")
    child.first_request = first_request


def adopt_early(
    module: str, config: dict[str, Any], threads: int, first_request: dict[str, Any]
) -> ChildProcess | None:
    wanted = (module, config, threads, first_request)
    for child in _early:
        if (child.module, child.config, child.threads, child.first_request) == wanted:
            _early.remove(child)
            return child
    return None


def close_early() -> None:
    """Close the children started early that nobody adopted (a run refused before)."""
    while _early:
        _early.pop().close()


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """One of the child's pipes: it is started with stdin and stdout piped."""
    if stream is None:
        raise RuntimeError("the model's process has no such pipe")
    return stream
