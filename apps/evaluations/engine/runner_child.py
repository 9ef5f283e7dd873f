"""The sandboxed model process: `python -m apps.evaluations.engine.runner_child CONFIG`.

It limits its own address space and core dumps first, pins the numeric libraries' thread
pools (the environment variables are set by the parent before numpy is imported, and
threadpoolctl pins them again), then answers one JSON request per line on stdin: load
the model, predict an Arrow file into .npy files, exit. Anything the model prints goes to
stderr, never into the protocol. Nothing returned to the parent is a pickle.
"""

import json
import math
import os
import resource
import sys
import time
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where needed: the child loads only what its model uses
    import pyarrow as pa

    from apps.evaluations.engine.loading.onnx_model import OnnxModel
    from apps.evaluations.engine.loading.skops_model import SklearnModel


def _limit_resources(memory_mb: int, cpu_seconds: float | None) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if cpu_seconds:  # the audit of an upload: SIGXCPU, then SIGKILL a second later
        seconds = math.ceil(cpu_seconds)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _is_memory_error(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, MemoryError) or "bad_alloc" in text or "failed to allocate" in text


class Sandbox:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.model: SklearnModel | OnnxModel | None = None

    @property
    def loaded(self) -> "SklearnModel | OnnxModel":
        """The model; the parent sends "load" before any request that needs it."""
        if self.model is None:
            raise RuntimeError("no model is loaded")
        return self.model

    def prepare(self, request: dict[str, Any]) -> dict[str, Any]:
        """Import what loading the format needs, before the parent times the model's load
        (scikit-learn and skops take seconds to import on a busy machine)."""
        if request["format"] == "skops":
            import skops.io  # noqa: F401

            import apps.evaluations.engine.loading.skops_model
        else:
            import onnxruntime  # noqa: F401

            import apps.evaluations.engine.loading.onnx_model  # noqa: F401
        return {}

    def load(self, request: dict[str, Any]) -> dict[str, Any]:
        """The gate, then the model; with `audit`, also what the upload records of it."""
        if request["format"] == "skops":
            from apps.evaluations.engine.gate.archive import ArchiveLimits
            from apps.evaluations.engine.loading.skops_model import load_skops

            limits = ArchiveLimits(**request.get("archive_limits", {}))
            model: SklearnModel | OnnxModel = load_skops(
                request["path"], tuple(request.get("trusted", ())), limits
            )
        else:
            from apps.evaluations.engine.loading.onnx_model import load_onnx

            model = load_onnx(request["path"], threads=self.config["threads"])
        self.model = model
        # threadpoolctl limits only the libraries already loaded: pin again now that the
        # model's (OpenMP, BLAS) are in.
        from threadpoolctl import threadpool_limits

        threadpool_limits(self.config["threads"])
        reply = {"info": _plain(model.info())}
        if request.get("audit"):
            reply["audit"] = _plain(model.audit())
        return reply

    def smoke(self, request: dict[str, Any]) -> dict[str, Any]:
        """One row through the model; its own exceptions are no refusal (zeros may be no
        valid input), only a hang or a crash is, and those the parent sees."""
        started = time.perf_counter()
        try:
            self.loaded.smoke()
        except Exception as error:
            if _is_memory_error(error):
                raise  # one row that needs more memory than allowed: no model to run
            return {"note": f"{type(error).__name__}: {' '.join(str(error).split())}"[:300]}
        return {"seconds": time.perf_counter() - started}

    def predict(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._predicted(request)
        finally:  # also when the model raised: its batches are freed by now
            _return_freed_memory()

    def _predicted(self, request: dict[str, Any]) -> dict[str, Any]:
        import numpy as np
        import pyarrow as pa

        from apps.evaluations.engine.data import table_to_frame

        started = time.perf_counter()
        labels_parts, probability_parts, classes = [], [], None
        # One record batch in memory at a time (a memory map would keep every page read).
        batches = _record_batches(
            request["input"],
            request.get("batch_rows") or self.config["batch_rows"],
            request.get("columns"),
        )
        for batch in batches:
            frame = table_to_frame(batch)
            del batch
            result = self.loaded.predict(frame)
            labels, probabilities = result[0], result[1]
            if len(result) > 2 and result[2] is not None:
                classes = list(result[2])
            labels_parts.append(np.asarray(labels))
            if probabilities is not None:
                probability_parts.append(np.asarray(probabilities, dtype=float))
            del frame, result
            pa.default_memory_pool().release_unused()
        labels = np.concatenate(labels_parts) if labels_parts else np.empty(0)
        if labels.dtype.kind == "O":
            labels = labels.astype(str)  # never written as a pickle
        np.save(request["labels"], labels, allow_pickle=False)
        reply = {"labels": request["labels"], "probabilities": None, "classes": None}
        if probability_parts:
            np.save(request["probabilities"], np.vstack(probability_parts), allow_pickle=False)
            reply["probabilities"] = request["probabilities"]
        if classes is not None:
            reply["classes"] = _plain(classes)
        reply["seconds"] = time.perf_counter() - started
        return reply

    def benchmark(self, request: dict[str, Any]) -> dict[str, Any]:
        """Time the model on batches of `rows` rows of the input (after `warmup` untimed
        calls), and report the process's peak memory."""
        import pyarrow as pa

        from apps.evaluations.engine.data import table_to_frame

        with pa.OSFile(request["input"]) as source:
            frame = table_to_frame(pa.ipc.open_file(source).read_all())
        rows, seconds = request["rows"], []
        for number in range(request["warmup"] + request["repeats"]):
            start = (number * rows) % max(len(frame) - rows + 1, 1)
            batch = frame.iloc[start : start + rows]
            started = time.perf_counter()
            self.loaded.predict(batch)
            if number >= request["warmup"]:
                seconds.append(time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        return {"seconds": seconds, "rows": min(rows, len(frame)), "peak_memory_mb": peak}


def _record_batches(
    path: str, batch_rows: int, columns: list[str] | None = None
) -> Iterator["pa.Table"]:
    """Tables of at most `batch_rows` rows from an Arrow file, read one at a time; with
    `columns`, only those are read, in that order (a staged file holds more)."""
    import pyarrow as pa

    options = None
    if columns is not None:
        with pa.OSFile(path) as source:
            names = pa.ipc.open_file(source).schema.names
        options = pa.ipc.IpcReadOptions(included_fields=sorted(map(names.index, columns)))
    with pa.OSFile(path) as source:
        reader = pa.ipc.open_file(source, options=options)
        for index in range(reader.num_record_batches):
            batch = reader.get_batch(index)
            if columns is not None:
                batch = batch.select(columns)
            for start in range(0, batch.num_rows, batch_rows):
                yield pa.Table.from_batches([batch.slice(start, batch_rows)])


def _return_freed_memory() -> None:
    """Give the heap's freed pages back to the system (glibc keeps them otherwise)."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _plain(value: Any) -> Any:
    """JSON-ready copies of numpy values."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def main() -> None:
    config = json.loads(sys.argv[1])
    _limit_resources(config["memory_mb"], config.get("cpu_seconds"))
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the model's own prints go to stderr
    from threadpoolctl import threadpool_limits

    from apps.evaluations.engine.errors import ArtifactRefused, EngineError

    threadpool_limits(config["threads"])
    sandbox = Sandbox(config)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "exit":
            # Nothing here is worth tearing down: freeing a large model and its frames
            # object by object would keep the parent waiting for a process with no work.
            sys.stderr.flush()
            os._exit(0)
        try:
            reply = {"ok": True, **getattr(sandbox, request["op"])(request)}
        except ArtifactRefused as error:
            reply = {"ok": False, "kind": "artifact", "message": error.message}
        except EngineError as error:
            reply = {"ok": False, "kind": "refused", "message": error.message}
        except BaseException as error:  # report every failure of model code to the parent
            kind = "memory" if _is_memory_error(error) else "error"
            message = f"{type(error).__name__}: {error}"
            traceback.print_exc()  # to stderr, for whoever reads the worker's logs
            reply = {"ok": False, "kind": kind, "message": message[:2000]}
        channel.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
