"""The command line: run a plan on a model and datasets, print a summary, write JSON.

Exit status: 0 when no blocking check fails, 1 when one does, 2 when the evaluation could
not run: a refused model or file, bad input. Then standard error holds exactly one line,
never a traceback. The model passes the same gate as an upload (`audit`) before it is
used. Whatever the engine accepts but works around is printed as a "Warning:" line.
"""

import argparse
import json
import os
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from apps.evaluations.engine.audit import AuditLimits, sandbox_audit
from apps.evaluations.engine.context import EngineSettings, EvaluationContext
from apps.evaluations.engine.data import read_table
from apps.evaluations.engine.defaults import default_plan
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.evaluation import EvaluationReport, evaluate
from apps.evaluations.engine.plan import PlanItem, plan_load
from apps.evaluations.engine.registry import registered_checks
from apps.evaluations.engine.results import json_value
from apps.evaluations.engine.runner import ModelSandbox, SandboxLimits
from apps.evaluations.engine.sources import ColumnPredictions, PredictionSource

EXIT_PASS, EXIT_BLOCKING_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_ORDER = {"fail": 0, "error": 1, "pass": 2, "skipped": 3}
_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3, None: 4}


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments, like every refusal, in one line on standard error and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {one_line(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m apps.evaluations.engine",
        description="Evaluate a model and its data against a plan of quality checks.",
    )
    parser.add_argument(
        "--model", help=".skops or .onnx file; omit when the data holds prediction columns"
    )
    parser.add_argument("--data", required=True, help="evaluation data (CSV or Parquet)")
    parser.add_argument("--reference", help="reference data, for drift and degradation")
    parser.add_argument("--train", help="training data, for leakage, overlap and baselines")
    parser.add_argument("--target", required=True, help="the target column")
    parser.add_argument("--sensitive", nargs="+", default=[], metavar="COL")
    parser.add_argument(
        "--features",
        nargs="+",
        metavar="COL",
        help="the model's features (default: the model's own list, else every "
        "column but the target and prediction columns)",
    )
    parser.add_argument("--prediction", metavar="COL", help="column of predicted labels/values")
    parser.add_argument(
        "--probability",
        nargs="+",
        default=[],
        metavar="COL",
        help="probability column(s): the positive class's, or one per class in sorted class order",
    )
    parser.add_argument("--task", choices=["binary", "multiclass", "regression"])
    parser.add_argument("--positive-label", help="the positive class of a binary target")
    parser.add_argument("--plan", help="plan JSON (default: the built-in default plan)")
    parser.add_argument("--json", dest="json_path", help="write the results to this file")
    parser.add_argument("--memory-mb", type=int, default=4096, help="model process memory cap")
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=60.0,
        help="seconds allowed to check and load the model (default 60)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds allowed to predict each dataset (default 900)",
    )
    parser.add_argument(
        "--threads",
        type=positive_integer,
        default=usable_cores(),
        help="cores the evaluation may use, shared between the model's process and the "
        "engine's checks, which run at the same time (default: the cores this process may "
        f"use, here {usable_cores()})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--trusted-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="extra type name a .skops file may load (operator allowlist)",
    )
    return parser


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container's cpuset or
    `taskset` narrows), else every core of the machine."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def thread_split(cores: int) -> tuple[int, int]:
    """(the model's process, the engine's checks): the model predicts the datasets and the
    queued perturbations while the checks run here, so each gets half of the cores (at
    least one) and together they do not ask for more threads than there are cores, which
    OpenMP's spinning threads punish. The larger half goes to the model, the long pole."""
    return max(1, cores - cores // 2), max(1, cores // 2)


def positive_integer(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    # Libraries' own warnings are not the user's business here, and each would add lines
    # to standard error; the engine says in words what it works around.
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    try:
        report, context, plan, model_timings = run(arguments)
    except EngineError as error:
        sys.stderr.write(f"error: {one_line(error.message)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return EXIT_BAD_INPUT
    except Exception as error:  # a defect of ours: still one line, never a traceback
        sys.stderr.write(
            f"error: the evaluation stopped unexpectedly ({type(error).__name__}: "
            f"{one_line(error)[:300]})\n"
        )
        return EXIT_BAD_INPUT
    for warning in context.warnings:
        sys.stderr.write(f"Warning: {one_line(warning)}\n")
    sys.stdout.write(summary_table(report) + "\n")
    if arguments.json_path:
        document = {
            "results": [result.to_dict() for result in report.results],
            "summary": report.summary(),
            "task": context.task,
            "classes": None if context.classes is None else json_value(context.classes),
            "features": context.features,
            "plan": [item.to_dict() for item in plan],
            "timings": {
                **report.timings,
                **model_timings,
                "total_seconds": time.perf_counter() - started,
            },
        }
        try:
            Path(arguments.json_path).write_text(json.dumps(json_value(document), indent=2))
        except OSError as error:
            sys.stderr.write(f"error: cannot write {arguments.json_path}: {error.strerror}\n")
            return EXIT_BAD_INPUT
    return EXIT_BLOCKING_FAILURE if report.blocking_failures else EXIT_PASS


def run(
    arguments: argparse.Namespace,
) -> tuple[EvaluationReport, EvaluationContext, list[PlanItem], dict[str, float]]:
    """Load everything, run the plan, and close the model's process whatever happens."""
    if not (arguments.model or arguments.prediction or arguments.probability):
        raise EngineError("Give --model, or --prediction/--probability columns of the data.")
    plan = plan_load(arguments.plan) if arguments.plan else None
    sandbox = _sandbox(arguments) if arguments.model else None
    source: PredictionSource = (
        sandbox
        if sandbox is not None
        else ColumnPredictions(arguments.prediction, arguments.probability)
    )
    try:
        # The checks are imported in a thread (reading and the model's process leave the
        # interpreter free) while the data are read and the model starts predicting them.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="imports") as helper:
            imported = helper.submit(registered_checks)
            if sandbox is not None:
                frames = audited_while_reading(arguments, sandbox)
            else:
                frames = read_frames(arguments)
            context = _context(arguments, frames, source)
            context.request_predictions()
            imported.result()
        plan = plan if plan is not None else default_plan(context.task)
        # The model predicts the datasets in its process while the data checks run here.
        report = evaluate(context, plan)
        context.predictions("evaluation")  # a model that cannot predict is bad input
    finally:
        if sandbox is not None:
            sandbox.close()
    return report, context, plan, sandbox.timings if sandbox is not None else {}


def _sandbox(arguments: argparse.Namespace) -> ModelSandbox:
    limits = SandboxLimits(
        memory_mb=arguments.memory_mb,
        load_timeout_s=arguments.load_timeout,
        predict_timeout_s=arguments.timeout,
        threads=thread_split(arguments.threads)[0],
    )
    return ModelSandbox(arguments.model, limits=limits, trusted_types=arguments.trusted_type)


def _context(
    arguments: argparse.Namespace,
    frames: tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None],
    source: PredictionSource,
) -> EvaluationContext:
    evaluation, reference, train = frames
    return EvaluationContext(
        evaluation=evaluation,
        reference=reference,
        train=train,
        target=arguments.target,
        sensitive=arguments.sensitive,
        features=arguments.features,
        task=arguments.task,
        source=source,
        positive_label=_label(arguments.positive_label, evaluation, arguments.target),
        # The checks' share of the cores, in threads: beside a model predicting on the
        # others, more would only contend with it and hold more memory at once.
        settings=EngineSettings(
            seed=arguments.seed,
            threads=engine_threads(arguments),
            workers=engine_threads(arguments),
        ),
    )


def audited_while_reading(
    arguments: argparse.Namespace, sandbox: ModelSandbox
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The datasets, read while the model passes the gate of uploads in its sandbox
    (nothing of a refused model runs here) and loads there; a refused model is said
    before bad data, as when it was checked first."""
    sandbox.spawn()  # here: the process dies with the thread that spawned it
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit") as gate:
        audit = gate.submit(
            sandbox_audit,
            sandbox,
            AuditLimits(seconds=arguments.load_timeout, memory_mb=arguments.memory_mb),
        )
        try:
            frames = read_frames(arguments)
        except EngineError:
            audit.result()
            raise
        audit.result()
    return frames


def read_frames(
    arguments: argparse.Namespace,
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The evaluation, reference and training data (the last two when given)."""
    evaluation = read_table(arguments.data, role="evaluation")
    reference = read_table(arguments.reference, role="reference") if arguments.reference else None
    train = read_table(arguments.train, role="train") if arguments.train else None
    return evaluation, reference, train


def engine_threads(arguments: argparse.Namespace) -> int:
    """The engine's share of the cores; all of them when no model runs beside it."""
    return thread_split(arguments.threads)[1] if arguments.model else arguments.threads


def _label(text: str | None, frame: pd.DataFrame, target: str) -> Any:
    """The positive label in the target's own type (the command line gives text)."""
    if text is None or target not in frame.columns:
        return None
    for value in frame[target].dropna().unique():
        if str(value) == text:
            return value
    raise EngineError(f"The positive label {text!r} does not occur in the target column.")


def summary_table(report: EvaluationReport) -> str:
    """One line per check and subject, failures first."""
    rows = sorted(
        report.results,
        key=lambda r: (_ORDER[r.outcome], _SEVERITY[r.severity], r.check, r.subject or ""),
    )
    header = (
        "OUTCOME",
        "SEVERITY",
        "CRITERION",
        "CHECK",
        "SUBJECT",
        "METRIC",
        "VALUE",
        "THRESHOLD",
    )
    lines = [header]
    for result in rows:
        value = result.value
        threshold = "" if result.threshold is None else f"{result.comparator} {result.threshold:g}"
        lines.append(
            (
                result.outcome.upper()
                + (" (blocking)" if result.blocking and result.outcome == "fail" else ""),
                result.severity or "",
                result.criterion or "",
                result.check,
                _clip(result.subject or "-", 28),
                result.metric or "",
                f"{value:.4g}"
                if isinstance(value, float)
                else str(value if value is not None else "-"),
                threshold,
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    summary = report.summary()
    text.append("")
    text.append(
        f"{len(report.results)} results: {summary['pass']} pass, {summary['fail']} fail "
        f"({summary['blocking_failures']} blocking), {summary['error']} error, "
        f"{summary['skipped']} skipped. Verdict: {summary['verdict']}."
    )
    failures = [r for r in rows if r.outcome in ("fail", "error")]
    for result in failures[:20]:
        text.append(f"- {result.check} [{result.subject or 'dataset'}]: {result.message}")
    return "\n".join(text)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
