"""The command line: run a plan on a model and datasets, print a summary, write JSON.

Exit status: 0 when no blocking check fails, 1 when one does, 2 when the evaluation could
not run: a refused model or file, bad input. Then standard error holds exactly one line,
never a traceback. The model passes the same gate as an upload (`audit`) before it is
used. Whatever the engine accepts but works around is printed as a "Warning:" line.
"""

import argparse
import json
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from apps.evaluations.engine.audit import AuditLimits, sandbox_audit
from apps.evaluations.engine.child_process import close_early
from apps.evaluations.engine.cli_arguments import (
    EXIT_BAD_INPUT,
    EXIT_BLOCKING_FAILURE,
    EXIT_PASS,
    build_parser,
    one_line,
    sandbox_limits,
    thread_split,
)
from apps.evaluations.engine.context import EngineSettings, EvaluationContext
from apps.evaluations.engine.data import read_table
from apps.evaluations.engine.defaults import default_plan
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.evaluation import EvaluationReport, evaluate
from apps.evaluations.engine.plan import PlanItem, plan_load
from apps.evaluations.engine.registry import registered_checks
from apps.evaluations.engine.results import json_value
from apps.evaluations.engine.runner import ModelSandbox
from apps.evaluations.engine.sources import ColumnPredictions, PredictionSource

_ORDER = {"fail": 0, "error": 1, "pass": 2, "skipped": 3}
_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3, None: 4}


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
    finally:
        close_early()  # a model's process started for a run refused before it was needed
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
            imported = helper.submit(_checks_imported)
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


def _checks_imported() -> None:
    registered_checks()
    # HistGradientBoosting (drift.multivariate's domain classifier) asks joblib for the
    # physical cores, which runs `lscpu` once per process: asked now, while this process is
    # small, rather than forked from it at a million rows (where a memory sampler reading
    # both sees its pages twice).
    import joblib

    joblib.cpu_count(only_physical_cores=True)


def _sandbox(arguments: argparse.Namespace) -> ModelSandbox:
    limits = sandbox_limits(arguments)
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
            frames = read_frames(arguments, sandbox)
        except EngineError:
            audit.result()
            raise
        audit.result()
    return frames


def read_frames(
    arguments: argparse.Namespace, sandbox: ModelSandbox | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The evaluation, reference and training data (the last two when given). With the
    model's sandbox, the datasets it predicts are staged for it as they are read, from
    their Arrow tables: the model is still being audited and loaded meanwhile."""

    def read(path: str, role: str) -> pd.DataFrame:
        if sandbox is None or role == "train":
            return read_table(path, role=role)
        part_rows = EngineSettings().prediction_part_rows
        answers = [arguments.target, arguments.prediction, *arguments.probability]

        def stage(table: pa.Table) -> None:  # never the target: the model must not read it
            inputs = table.drop_columns([name for name in answers if name in table.column_names])
            sandbox.stage(role, inputs, part_rows)

        return read_table(path, role=role, on_table=stage)

    evaluation = read(arguments.data, "evaluation")
    reference = read(arguments.reference, "reference") if arguments.reference else None
    train = read(arguments.train, "train") if arguments.train else None
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
