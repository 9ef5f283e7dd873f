"""Loading and running a model in a child process with memory and time limits.

A crafted or broken model that segfaults, allocates without bound or never returns takes
down only its child (`child_process`); the parent reports "the model crashed while
loading/predicting". Data go to the child as an Arrow file and come back as .npy files
read with allow_pickle=False; requests and replies are JSON lines. Nothing the child sends
is unpickled.
"""

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from apps.evaluations.engine.child_process import (
    MODEL_PROCESS_MODULE,
    ChildProcess,
    adopt_early,
)
from apps.evaluations.engine.child_process import (
    SandboxLimits as SandboxLimits,  # re-exported: callers import it from here
)
from apps.evaluations.engine.errors import EngineError, ModelCrashed
from apps.evaluations.engine.handover import write_batches
from apps.evaluations.engine.sniff import sniff_model
from apps.evaluations.engine.sources import ModelInfo, Predictions

# The model's process imports the libraries its format needs before the model's load is
# timed: our own imports (seconds on a busy machine) must not count against the model.
IMPORT_TIMEOUT_S = 120.0


class ModelSandbox:
    """A model loaded in its own process. Use as a context manager, or call start/close."""

    def __init__(
        self,
        path: str | Path,
        *,
        limits: SandboxLimits | None = None,
        trusted_types: Sequence[str] = (),
        archive_limits: Mapping[str, float] | None = None,
    ) -> None:
        self.path = Path(path)
        self.limits = limits or SandboxLimits()
        self.trusted_types = tuple(trusted_types)
        self.archive_limits = dict(archive_limits or {})  # the gate's caps (gate.archive)
        self.audit: dict[str, Any] | None = None  # what `start(audit=True)` learnt of the model
        self.format = sniff_model(self.path)  # refuses pickles before any process starts
        self.info: ModelInfo | None = None
        self.timings: dict[str, float] = {}
        self._child: ChildProcess | None = None
        self._failure: EngineError | None = None  # sticky: every later request gets it
        self._calls = 0
        self._suspended = False
        self._loading: float | None = None  # when a load was sent and not yet answered
        self._pending: list[int] = []  # predict requests sent, answered in this order
        self._answers: dict[int, dict[str, Any] | EngineError] = {}
        # role → the staged dataset's columns, and its parts' files and rows
        self._staged: dict[str, tuple[set[str], list[tuple[Path, int]]]] = {}
        self._staged_batch_rows: dict[Path, int] = {}
        self._inputs: dict[int, Path] = {}  # a request's staged file, removed when collected

    def __enter__(self) -> "ModelSandbox":
        return self.start()  # a failed start has closed its process already

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self, *, wait: bool = True, audit: bool = False) -> "ModelSandbox":
        """Start the child and load the model; with wait=False the caller goes on (reading
        the data, say) and `wait_loaded` collects the answer. Whatever fails on the way (a
        refused model, a crash, the time limit, an exception raised into this thread) closes
        the child before the error reaches the caller: no model process outlives its use."""
        try:
            self._start(wait=wait, audit=audit)
        except BaseException:
            self.close()
            raise
        return self

    def spawn(self) -> "ModelSandbox":
        """Start the model's process now, without the model (`start` sends it). The thread
        that spawns the process must outlive it: the process is killed when that thread
        ends (PR_SET_PDEATHSIG), so a helper thread may load and use it, not spawn it."""
        try:
            if self._child is None:
                self._child = self._new_child()
        except BaseException:
            self.close()
            raise
        return self

    def _new_child(self) -> ChildProcess:
        config, threads = self.limits.child_config(), self.limits.threads
        prepare = {"op": "prepare", "format": self.format}
        child = adopt_early(MODEL_PROCESS_MODULE, config, threads, prepare)  # the command line's
        if child is None:
            child = ChildProcess(MODEL_PROCESS_MODULE, config, threads=threads)
            child.start()
        return child

    def _start(self, *, wait: bool, audit: bool) -> None:
        if self._failure is not None:
            raise self._failure
        self._suspended = False
        started = time.perf_counter()
        if self._child is None:
            self._child = self._new_child()
        request = {
            "op": "load",
            "path": str(self.path.resolve()),
            "format": self.format,
            "trusted": list(self.trusted_types),
            "archive_limits": self.archive_limits,
            "audit": audit,
        }
        prepare = {"op": "prepare", "format": self.format}
        first, self._child.first_request = self._child.first_request, None
        if first != prepare:  # a process started early got it already
            self._send(prepare, "starting")
        self._send(request, "loading")
        self._loading = started
        if wait:
            self.wait_loaded()

    @property
    def pid(self) -> int | None:
        """The model process's id while it runs."""
        return None if self._child is None else self._child.pid

    def wait_loaded(self) -> "ModelSandbox":
        """Wait for the model that `start(wait=False)` began to load; a model that does not
        load has its process closed before the error is raised."""
        if self._loading is None:
            return self
        started, self._loading = self._loading, None
        try:
            self._reply(max(IMPORT_TIMEOUT_S, self.limits.load_timeout_s), "starting")
            reply = self._reply(self.limits.load_timeout_s, "loading")
        except BaseException as error:
            if isinstance(error, EngineError):
                self._failure = error
            self.close()
            raise
        info = reply["info"]
        self.audit = reply.get("audit")
        self.info = ModelInfo(
            format=self.format,
            task=info.get("task"),
            classes=tuple(info["classes"]) if info.get("classes") is not None else None,
            feature_names=tuple(info["feature_names"]) if info.get("feature_names") else None,
            n_features=info.get("n_features"),
            has_probabilities=bool(info.get("has_probabilities")),
            artifact_bytes=self.path.stat().st_size,
        )
        self.timings["load_seconds"] = time.perf_counter() - started
        return self

    def smoke(self, timeout: float) -> str:
        """Run one row of zeros through the loaded model; what its own exception said, or
        "". A hang or a crash raises ModelCrashed."""
        self.wait_loaded()
        self._send({"op": "smoke"}, "trying one row")
        note: str = self._reply(timeout, "trying one row").get("note", "")
        return note

    def stage(self, role: str, table: pa.Table, part_rows: int) -> None:
        """Write a dataset for the model now, in parts of `part_rows` rows, straight from the
        Arrow table it was read into, so that predicting it later only sends a request. The
        command line stages while the model is still audited and loaded, before its features
        are known: every column it is given (never the target: the model must not read the
        answers), integers with gaps as the frame holds them, floats (the model's process
        converts each batch on its own). The evaluation data go to the model in larger
        batches (`evaluation_batch_rows`, see SandboxLimits)."""
        child, parts = self._started(), []
        batch_rows = self._staged_batch_size(role, table)
        fields = [
            field.with_type(pa.float64())
            if pa.types.is_integer(field.type) and table.column(field.name).null_count
            else field
            for field in table.schema
        ]
        schema = pa.schema(fields)
        try:
            for number, start in enumerate(range(0, table.num_rows, part_rows)):
                path = child.folder / f"staged-{role}-{number}.arrow"
                part = table.slice(start, part_rows).cast(schema)
                parts.append((path, part.num_rows))
                with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as file:
                    file.write_table(part, max_chunksize=batch_rows)
                self._staged_batch_rows[path] = batch_rows
        except (OSError, pa.ArrowException):  # a full disk, say: the frame goes as before
            parts = self._unlinked(parts)
        self._staged[role] = (set(schema.names), parts)

    def _staged_batch_size(self, role: str, table: pa.Table) -> int:
        limits = self.limits
        if role != "evaluation":
            return limits.batch_rows
        row_bytes = max(table.nbytes / max(table.num_rows, 1), 1.0)
        fitting = int(limits.evaluation_batch_mb * 2**20 / row_bytes)
        return max(limits.batch_rows, min(limits.evaluation_batch_rows, fitting))

    def staged(self, role: str, features: Sequence[str], rows: int) -> list[Path]:
        """The files of a dataset's staged parts, handed out once, when they hold its `rows`
        and every one of `features`; otherwise none (and they are removed)."""
        names, parts = self._staged.pop(role, (set(), []))
        if sum(count for _, count in parts) != rows or not names.issuperset(features):
            return self._unlinked(parts)
        return [path for path, _ in parts]

    @staticmethod
    def _unlinked(parts: list[tuple[Path, int]]) -> list[Any]:
        for path, _ in parts:
            path.unlink(missing_ok=True)
        return []

    def predict(self, frame: pd.DataFrame, features: Sequence[str]) -> Predictions:
        """The model's outputs for every row of `frame`, predicted in batches in the child."""
        # A ticket of `predict_later` is answered with predictions.
        return cast(Predictions, self.collect(self.predict_later(frame, features)))

    def predict_later(self, frame: pd.DataFrame | Path, features: Sequence[str]) -> int:
        """Hand `frame` to the child and return at once, so the caller can work while the
        model predicts; `collect` with the returned ticket waits for the outputs. A staged
        file (`stage`) stands for its frame: only the request is sent."""
        if self._child is None and self._suspended:
            self.start()  # a check needs the model again after `suspend`
        child = self._started()
        info = self.wait_loaded().info
        if info is None:  # set by `wait_loaded` once the model has loaded
            raise EngineError("The model sandbox is not started.")
        features = list(features)
        if (
            info.n_features is not None
            and info.feature_names is None
            and (info.n_features != len(features))
        ):
            raise EngineError(
                f"The model expects {info.n_features} features but {len(features)} "
                "columns were given; give the model's feature list."
            )
        self._calls += 1
        stem = child.folder / f"batch-{self._calls}"
        request: dict[str, Any] = {
            "op": "predict",
            "input": f"{stem}-in.arrow",
            "labels": f"{stem}-labels.npy",
            "probabilities": f"{stem}-probabilities.npy",
        }
        if isinstance(frame, Path):
            batch_rows = self._staged_batch_rows.get(frame, self.limits.batch_rows)
            request |= {"input": str(frame), "columns": features, "batch_rows": batch_rows}
            self._inputs[self._calls] = frame
        else:
            try:
                write_batches(frame, features, request["input"], self.limits.batch_rows)
            except (pa.ArrowException, TypeError, ValueError, KeyError) as error:
                message = f"The features cannot be passed to the model: {error}"
                raise EngineError(message) from error
            pa.default_memory_pool().release_unused()
        self._send(request, "predicting")
        self._pending.append(self._calls)
        self.timings[f"predict_sent_{self._calls}"] = time.perf_counter()
        return self._calls

    def benchmark(
        self, frame: pd.DataFrame, features: Sequence[str], **options: int
    ) -> dict[str, Any]:
        """Seconds per call of the model on batches of `batch_rows` rows of `frame`, timed
        in its own process (no hand-over cost), and that process's peak memory in MB."""
        # A ticket of `benchmark_later` is answered with timings.
        return cast(dict[str, Any], self.collect(self.benchmark_later(frame, features, **options)))

    def benchmark_later(
        self,
        frame: pd.DataFrame,
        features: Sequence[str],
        *,
        batch_rows: int,
        repeats: int,
        warmup: int,
    ) -> int:
        """Like `predict_later`: the timing runs in the child after the requests before it."""
        if self._child is None and self._suspended:
            self.start()
        child = self._started()
        self.wait_loaded()
        self._calls += 1
        path = child.folder / f"batch-{self._calls}-in.arrow"
        try:
            write_batches(frame, list(features), str(path), self.limits.batch_rows)
        except (pa.ArrowException, TypeError, ValueError, KeyError) as error:
            raise EngineError(f"The features cannot be passed to the model: {error}") from error
        request = {"op": "benchmark", "input": str(path), "rows": batch_rows,
                   "repeats": repeats, "warmup": warmup}  # fmt: skip
        self._send(request, "predicting")
        self._pending.append(self._calls)
        self.timings[f"predict_sent_{self._calls}"] = time.perf_counter()
        return self._calls

    def finished(self, ticket: int | None = None) -> bool:
        """Whether `collect(ticket)` (by default, of the last request) would not wait."""
        ticket = self._calls if ticket is None else ticket
        while ticket not in self._answers and self._pending:
            if not self._started().answered():
                return False
            self._take_reply()
        return True

    def _take_reply(self) -> None:
        head = self._pending.pop(0)
        try:
            self._answers[head] = self._reply(self.limits.predict_timeout_s, "predicting")
        except ModelCrashed as error:  # this request's answer, and every later call's
            self._answers[head] = error
            raise
        except EngineError as error:  # the model raised on this request: its own answer
            self._answers[head] = error
        sent = self.timings.pop(f"predict_sent_{head}")
        self.timings[f"predict_seconds_{head}"] = time.perf_counter() - sent

    def collect(self, ticket: int) -> Predictions | dict[str, Any]:
        """The outputs of a `predict_later` request, or the timings of a `benchmark_later`
        one (earlier requests are read first)."""
        while ticket not in self._answers:
            if not self._pending:
                raise EngineError("The model sandbox has no such prediction request.")
            self._take_reply()
        reply = self._answers.pop(ticket)
        stem = self._started().folder / f"batch-{ticket}"
        if staged := self._inputs.pop(ticket, None):
            staged.unlink(missing_ok=True)
        if isinstance(reply, EngineError):
            Path(f"{stem}-in.arrow").unlink(missing_ok=True)
            raise reply
        if "labels" not in reply:  # a benchmark's timings
            Path(f"{stem}-in.arrow").unlink(missing_ok=True)
            self.timings.pop(f"predict_seconds_{ticket}", None)
            return reply
        labels = np.load(reply["labels"], allow_pickle=False)
        probabilities = None
        if reply.get("probabilities"):
            probabilities = np.load(reply["probabilities"], allow_pickle=False)
        for suffix in ("-in.arrow", "-labels.npy", "-probabilities.npy"):
            Path(f"{stem}{suffix}").unlink(missing_ok=True)
        classes = np.asarray(reply["classes"]) if reply.get("classes") is not None else None
        return Predictions(labels=labels, probabilities=probabilities, classes=classes)

    def suspend(self) -> None:
        """Stop the model's process to free its memory; the next `predict` starts it again.
        For a run that has collected every answer, so the checks do not run beside a
        process holding the model and the numeric libraries."""
        waiting = self._pending or self._answers or self._loading is not None
        if self._child is not None and not waiting:
            self.close()
            self._suspended = True

    def interrupt(self) -> None:
        """Kill the model's process from another thread (a cancelled run): the request
        being waited for then fails as a crash, and `close` cleans up as usual."""
        child = self._child
        if child is not None:
            child.interrupt()

    def close(self) -> None:
        self._suspended = False
        self._loading, self._pending, self._answers = None, [], {}
        self._staged, self._inputs = {}, {}  # their files go with the process's folder
        self._staged_batch_rows = {}
        child, self._child = self._child, None
        if child is not None:
            child.close()

    # --- protocol -------------------------------------------------------------------

    def _started(self) -> ChildProcess:
        """The model's process; a request before `start` or after `close` is refused."""
        if self._child is None:
            raise self._failure or EngineError("The model sandbox is not started.")
        return self._child

    def _send(self, request: dict[str, Any], stage: str) -> None:
        try:
            self._started().send(request, stage)
        except ModelCrashed as error:
            self._failure = error
            raise

    def _reply(self, timeout: float, stage: str) -> dict[str, Any]:
        try:
            return self._started().reply(timeout, stage)
        except ModelCrashed as error:
            self._failure = error
            raise
