"""The command line's arguments, and the model's process started before the command line
imports its libraries: parsing needs none of them."""

import argparse
import os
from pathlib import Path
from typing import Any, NoReturn

from apps.evaluations.engine.child_process import (
    MODEL_PROCESS_MODULE,
    SandboxLimits,
    close_early,
    start_early,
)
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.sniff import sniff_model

EXIT_PASS, EXIT_BLOCKING_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments, like every refusal, in one line on standard error and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {one_line(message)} (see --help)\n")


def build_parser(
    kind: type[OneLineParser] = OneLineParser, *, add_help: bool = True
) -> argparse.ArgumentParser:
    parser = kind(
        prog="python -m apps.evaluations.engine",
        description="Evaluate a model and its data against a plan of quality checks.",
        add_help=add_help,
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


def sandbox_limits(arguments: argparse.Namespace) -> SandboxLimits:
    return SandboxLimits(
        memory_mb=arguments.memory_mb,
        load_timeout_s=arguments.load_timeout,
        predict_timeout_s=arguments.timeout,
        threads=thread_split(arguments.threads)[0],
    )


class _NotNow(Exception):
    pass


class _QuietParser(OneLineParser):
    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise _NotNow  # the command line parses again, and says what is wrong


def start_model_early(argv: list[str]) -> None:
    """Start the model's process, and its imports, before the command line imports pandas
    and the engine (0.4 s): the model loads meanwhile, and `ModelSandbox` takes the
    process over. Bad arguments or a refused model are left for the command line to say."""
    try:
        arguments = build_parser(_QuietParser, add_help=False).parse_args(argv)
        if not arguments.model:
            return
        model_format = sniff_model(Path(arguments.model))
    except (_NotNow, EngineError, OSError):
        return
    limits = sandbox_limits(arguments)
    first: dict[str, Any] = {"op": "prepare", "format": model_format}
    try:
        start_early(MODEL_PROCESS_MODULE, limits.child_config(), limits.threads, first)
    except (OSError, EngineError):  # no process to spare, say: the sandbox starts its own
        close_early()
