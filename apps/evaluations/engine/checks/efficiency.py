"""Efficiency: what running the model costs. Latency of single rows, throughput in
batches and peak memory are measured in the model's own process (so Qualiti's hand-over
of the data is not counted) on rows of the evaluation data; the artifact's size is read
from disk. Each is judged against a budget set in the criterion; the command line's
default plan reports them.
"""

from typing import Any

import numpy as np

from apps.evaluations.engine.checks.queueing import ModelWorkCheck
from apps.evaluations.engine.context import BenchmarkHandle, EvaluationContext
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    integer,
    register,
    schema,
)

_NEEDS_MODEL = "Efficiency is measured on a model; predictions alone have no cost to measure."


def queue_benchmark(
    context: EvaluationContext,
    params: dict[str, Any],
    *,
    batch_size: int,
    repeats: int,
    warmup: int,
) -> BenchmarkHandle | str:
    """Hand the model its timing run on rows of the evaluation data (see `queueing`)."""
    if not context.has_model or not hasattr(context.source, "benchmark"):
        return _NEEDS_MODEL
    frame = context.frame("evaluation")
    rows = min(len(frame), max(params["max_rows"], batch_size))
    chosen = np.sort(np.random.default_rng(params["seed"]).choice(len(frame), rows, False))
    options = {"batch_rows": batch_size, "repeats": repeats, "warmup": warmup}
    return context.benchmark_later(frame.iloc[chosen], **options)


class BenchmarkCheck(ModelWorkCheck):
    """A check that times the model: `options` says how."""

    def options(self, params: dict[str, Any]) -> dict[str, int]:
        raise NotImplementedError

    def queue(self, context: EvaluationContext, params: dict[str, Any]) -> BenchmarkHandle | str:
        return queue_benchmark(context, params, **self.options(params))


_SAMPLE = {"max_rows": integer(2000, minimum=1), "seed": integer(0)}


@register
class Latency(BenchmarkCheck):
    key = "efficiency.latency"
    name = "Prediction latency"
    category = "efficiency"
    reads = frozenset()
    params_schema = schema(
        batch_size=integer(1, minimum=1, maximum=100_000),
        warmup=integer(10, minimum=0, maximum=10_000),
        repeats=integer(200, minimum=5, maximum=100_000),
        **_SAMPLE,
    )
    metrics = {
        "p50_latency_ms": "Median time of one call of `batch_size` rows, in milliseconds.",
        "p95_latency_ms": "95th percentile of the call time, in milliseconds.",
        "p99_latency_ms": "99th percentile of the call time, in milliseconds.",
        "p99_to_p50_latency_ratio": "Tail over median: how uneven the calls are.",
        "latency_per_row_ms": "Median call time divided by the rows per call.",
    }
    default_metric = "p95_latency_ms"
    # Milliseconds per call move with whatever else uses the cores: the timing is sent when
    # the check runs and waited for, so no other check works beside it (see `queueing`).
    alone = True
    docs = CheckDocs(
        what="Times `repeats` calls of the model on `batch_size` rows each (single rows by "
        "default), after `warmup` untimed calls, in the model's process, while no other "
        "check runs.",
        why="An online service answers one request at a time; its users feel the p95, not "
        "the average, and an uneven tail makes capacity hard to plan.",
        fix="Profile the pipeline's steps: expensive feature transformations, too many or "
        "too deep trees, Python loops per row. Simplify, cache or compile (ONNX) them.",
        reference="Google SRE book, chapter 6 (latency percentiles); ONNX Runtime "
        "performance tuning documentation.",
    )

    def options(self, params: dict[str, Any]) -> dict[str, int]:
        return {k: params[k] for k in ("repeats", "warmup")} | {"batch_size": params["batch_size"]}

    def measure(
        self, context: EvaluationContext, params: dict[str, Any], work: BenchmarkHandle
    ) -> list[Measurement]:
        measured = context.collect_benchmark(work)
        milliseconds = np.asarray(measured["seconds"]) * 1000
        p50, p95, p99 = np.percentile(milliseconds, [50, 95, 99])
        counts, edges = np.histogram(milliseconds, bins=30)
        return [
            Measurement(
                None,
                observed={
                    "p50_latency_ms": float(p50),
                    "p95_latency_ms": float(p95),
                    "p99_latency_ms": float(p99),
                    "p99_to_p50_latency_ratio": float(p99 / p50) if p50 > 0 else None,
                    "latency_per_row_ms": float(p50 / measured["rows"]),
                },
                evidence={
                    "histogram": {"counts": counts.tolist(), "edges": edges.tolist()},
                    "calls": len(milliseconds),
                    "rows_per_call": measured["rows"],
                    "timed_alone": self.alone,
                },
                note=f"{len(milliseconds)} calls of {measured['rows']} row(s)"
                + (", timed while no other check ran" if self.alone else ""),
            )
        ]


@register
class Throughput(BenchmarkCheck):
    key = "efficiency.throughput"
    name = "Throughput"
    category = "efficiency"
    reads = frozenset()
    params_schema = schema(
        batch_size=integer(1000, minimum=1, maximum=1_000_000),
        repeats=integer(5, minimum=1, maximum=1000),
        **_SAMPLE,
    )
    metrics = {
        "rows_per_second": "Rows predicted per second in batches of `batch_size`.",
        "batch_latency_per_row_ms": "Median batch time divided by its rows, in milliseconds.",
    }
    default_metric = "rows_per_second"
    docs = CheckDocs(
        what="Times `repeats` calls on batches of `batch_size` rows in the model's process.",
        why="Batch scoring has a window; throughput decides whether the nightly run fits "
        "and what it costs.",
        fix="Predict in larger batches, drop costly transformations, use a compiled runtime "
        "(ONNX) or fewer, shallower trees.",
        reference="MLPerf Inference rules (offline scenario throughput).",
    )

    def options(self, params: dict[str, Any]) -> dict[str, int]:
        return {"batch_size": params["batch_size"], "repeats": params["repeats"], "warmup": 1}

    def measure(
        self, context: EvaluationContext, params: dict[str, Any], work: BenchmarkHandle
    ) -> list[Measurement]:
        measured = context.collect_benchmark(work)
        seconds = np.asarray(measured["seconds"])
        rows = measured["rows"]
        return [
            Measurement(
                None,
                observed={
                    "rows_per_second": float(rows * len(seconds) / seconds.sum()),
                    "batch_latency_per_row_ms": float(np.median(seconds) * 1000 / rows),
                },
                evidence={"batch_seconds": seconds.tolist(), "rows_per_batch": rows},
            )
        ]


@register
class PeakMemory(BenchmarkCheck):
    key = "efficiency.memory"
    name = "Peak memory"
    category = "efficiency"
    reads = frozenset()
    params_schema = schema(batch_size=integer(1000, minimum=1, maximum=1_000_000), **_SAMPLE)
    metrics = {
        "peak_memory_mb": "Peak resident memory of the model's process over the run, in MB: "
        "loading, predicting the datasets in batches, the checks' requests and batches of "
        "`batch_size` rows (the interpreter and libraries included)."
    }
    default_metric = "peak_memory_mb"
    docs = CheckDocs(
        what="The highest resident memory the model's own process has used during the run "
        "(the lifetime peak, read after it predicted batches of `batch_size` rows).",
        why="Memory decides how many replicas fit on a machine and whether a large batch "
        "brings the service down.",
        fix="Predict in smaller batches, prune or quantise the model, drop unused pipeline "
        "steps, or move to a leaner runtime (ONNX).",
        reference="Linux getrusage(2), ru_maxrss.",
    )

    def options(self, params: dict[str, Any]) -> dict[str, int]:
        return {"batch_size": params["batch_size"], "repeats": 2, "warmup": 0}

    def measure(
        self, context: EvaluationContext, params: dict[str, Any], work: BenchmarkHandle
    ) -> list[Measurement]:
        measured = context.collect_benchmark(work)
        return [Measurement(None, observed={"peak_memory_mb": float(measured["peak_memory_mb"])})]


@register
class ModelSize(Check):
    key = "efficiency.model_size"
    name = "Model size"
    category = "efficiency"
    reads = frozenset()
    needs = "data"  # the artifact's size is known without running it
    params_schema = schema()
    metrics = {"artifact_size_mb": "Size of the model file on disk, in MB."}
    default_metric = "artifact_size_mb"
    docs = CheckDocs(
        what="The size of the uploaded model artifact.",
        why="Large artifacts slow deployment and cold starts and hint at a model bigger "
        "than its task needs.",
        fix="Prune trees or features, quantise weights, or export a leaner format.",
        reference="ONNX Runtime model optimisation documentation.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        size = getattr(context.source.info, "artifact_bytes", None) if context.source else None
        if not context.has_model or size is None:
            return [Measurement(None, skipped=_NEEDS_MODEL)]
        return [Measurement(None, observed={"artifact_size_mb": size / 1024**2})]
