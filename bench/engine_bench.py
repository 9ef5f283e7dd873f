"""Qualiti's engine against Evidently and against the floor (read + one predict_proba).

    python bench/engine_bench.py [--rows 100000 1000000] [--skip-evidently] [--repeats 3]
                                 [--large 10000000]

Makes the data deterministically under bench/data/ (first run only), sets up the bench-only
Evidently environment (bench/.venv-evidently, from bench/requirements-evidently.txt) if
missing, then runs each tool twice in its own process: once timed with nothing watching it,
once sampling the peak memory of its whole process tree (Qualiti's model child included).
The floor and Qualiti with the model, whose ratio is a target, run `--repeats` times each,
alternated, and their medians are compared. Prints a table and the target ratios.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
FIXED_COST_ROWS = 1_000
FIXED_COST_RUNS = 5
EVIDENTLY_PYTHON = HERE / ".venv-evidently" / "bin" / "python"
sys.path.insert(0, str(HERE))
from bench_data import SENSITIVE, TARGET, prepare  # noqa: E402


def tree_memory_bytes(pid: int) -> int:
    """Proportional set size (PSS) of a process and all its descendants, from /proc.

    PSS counts a page shared by several processes (the numeric libraries mapped by both
    Qualiti and its model process) once in all, split between them; summing resident
    sizes (RSS) would count those pages once per process."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(rollup.split("\nPss:")[1].split()[0]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(command: list[str], *, timed: bool = True) -> tuple[float, float]:
    """Wall seconds and peak tree memory (MB, PSS) of a command; fails loudly if it fails.

    The seconds come from a run of their own with nothing watching it (unless `timed` is
    False: then they are the sampled run's): reading PSS walks every page of both processes
    (about 13 ms of a core per sample at a million rows) and holds each one's memory map
    while it does, which slowed the two processes of the run with the model by 1 to 2 s on
    two cores and the single process of the floor by much less."""
    seconds = _timed(command) if timed else None
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory_bytes(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    _check_exit(command, process.returncode, process.stderr.read())
    return (seconds if seconds is not None else elapsed), peak / 1024**2


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    process = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    _check_exit(command, process.returncode, process.stderr)
    return elapsed


def _check_exit(command: list[str], code: int, stderr: bytes) -> None:
    if code not in (0, 1):  # 1: Qualiti found a blocking failure
        raise SystemExit(f"{command[:3]} failed:\n{stderr.decode()[-2000:]}")


def setup_evidently() -> None:
    if EVIDENTLY_PYTHON.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(HERE / ".venv-evidently")], check=True)
    subprocess.run(
        [str(EVIDENTLY_PYTHON), "-m", "pip", "install", "-q", "-r",
         str(HERE / "requirements-evidently.txt")],
        check=True,
    )  # fmt: skip


def frame_megabytes(path: Path) -> float:
    return pq.read_table(path).to_pandas().memory_usage(deep=True).sum() / 1024**2


def qualiti_command(
    data: Path, *, model: Path | None, json_out: Path | None, reference: Path | None = None
) -> list[str]:
    """The default plan on `data` against the reference: with the model, or (model None) on
    the prediction columns the scored files carry."""
    source = (
        ["--model", str(model)]
        if model is not None
        else ["--prediction", "prediction", "--probability", "prediction_proba"]
    )
    if reference is None:
        reference = DATA / ("reference.parquet" if model else "reference-scored.parquet")
    command = [sys.executable, "-m", "apps.evaluations.engine", *source, "--data", str(data),
               "--reference", str(reference), "--target", TARGET,
               "--sensitive", SENSITIVE]  # fmt: skip
    return command + (["--json", str(json_out)] if json_out else [])


def scored(data: Path) -> Path:
    """The data file with the model's predictions attached (made once)."""
    path = data.with_name(data.stem + "-scored.parquet")
    if not path.exists():
        measure([sys.executable, str(HERE / "baseline_read_predict.py"), str(data),
                 str(DATA / "model.skops"), str(path)], timed=False)  # fmt: skip
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument(
        "--repeats", type=int, default=3, metavar="N",
        help="runs of the floor and of Qualiti with the model, alternated; their medians "
        "make the ratios of points 6 and 7 (the machine's speed drifts between runs)",
    )  # fmt: skip
    parser.add_argument(
        "--large", type=int, default=0, metavar="ROWS",
        help="also run the default plan with the model on this many rows (10000000 for the "
        "10M-row memory target) and report its peak",
    )  # fmt: skip
    arguments = parser.parse_args()
    prepare(
        DATA, [FIXED_COST_ROWS, *arguments.rows, *([arguments.large] if arguments.large else [])]
    )
    if not arguments.skip_evidently:
        setup_evidently()
    model, reference = DATA / "model.skops", DATA / "reference.parquet"
    reference_scored = scored(reference)

    # What Qualiti costs on a tiny file: two Python processes with the numeric libraries
    # loaded, the model, and no data to speak of; the rest of its peak grows with the data.
    # Its peak moves by about 100 MB from run to run (356 to 477 MB in one afternoon), more
    # than any change measured against it, so it is the median of a few runs.
    small = DATA / f"evaluation-{FIXED_COST_ROWS}.parquet"
    fixed_runs = [
        measure(qualiti_command(small, model=model, json_out=None, reference=small), timed=False)
        for _ in range(FIXED_COST_RUNS)
    ]
    print("fixed cost runs (s, MB):", ", ".join(f"{s:.1f} {m:.0f}" for s, m in fixed_runs))
    fixed = (
        statistics.median(s for s, _ in fixed_runs),
        statistics.median(m for _, m in fixed_runs),
    )
    runs: list[dict] = []
    for rows in arguments.rows:
        data = DATA / f"evaluation-{rows}.parquet"
        run = {"rows": rows, "frames": frame_megabytes(data) + frame_megabytes(reference)}
        floor = [sys.executable, str(HERE / "baseline_read_predict.py"), str(data), str(model), ""]
        with_model = qualiti_command(data, model=model, json_out=DATA / f"qualiti-{rows}.json")
        run.update(alternated({"floor": floor, "qualiti": with_model}, arguments.repeats))
        run["predictions"] = measure(
            qualiti_command(
                scored(data), model=None, json_out=DATA / f"qualiti-{rows}-predictions.json"
            )
        )
        if not arguments.skip_evidently:
            run["evidently"] = measure([str(EVIDENTLY_PYTHON), str(HERE / "evidently_run.py"),
                                        str(scored(data)), str(reference_scored)])  # fmt: skip
        runs.append(run)
    large = None
    if arguments.large:
        data = DATA / f"evaluation-{arguments.large}.parquet"
        large = (
            arguments.large,
            frame_megabytes(data),
            measure(
                qualiti_command(
                    data, model=model, json_out=DATA / f"qualiti-{arguments.large}.json"
                ),
                timed=False,
            ),
        )
    print_table(runs, fixed, large)


def alternated(commands: dict[str, list[str]], repeats: int) -> dict[str, Any]:
    """Each command `repeats` times, in turn (a drift of the machine's speed then falls on
    all of them alike): the median seconds and peak of each, and every run's."""
    runs: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
    for _ in range(repeats):
        for key, command in commands.items():
            runs[key].append(measure(command))
    medians = {
        key: (statistics.median(s for s, _ in done), statistics.median(m for _, m in done))
        for key, done in runs.items()
    }
    return {**medians, "runs": runs}


def print_table(runs: list[dict], fixed: tuple[float, float], large: tuple | None) -> None:
    labels = {
        "floor": "read + predict_proba (floor)",
        "qualiti": "Qualiti, with the model",
        "predictions": "Qualiti, predictions given",
        "evidently": "Evidently (predictions given)",
    }
    print(f"\n{'rows':>10} {'tool':<30} {'seconds':>9} {'peak MB':>9}  (memory: PSS of the tree)")
    for run in runs:
        for key, label in labels.items():
            if key in run:
                seconds, peak = run[key]
                print(f"{run['rows']:>10,} {label:<30} {seconds:>9.1f} {peak:>9.0f}")
        print(f"{run['rows']:>10,} {'data frames in memory':<30} {'':>9} {run['frames']:>9.0f}")
    label = "Qualiti, fixed cost (median)"
    print(f"{FIXED_COST_ROWS:>10,} {label:<30} {fixed[0]:>9.1f} {fixed[1]:>9.0f}")
    if large:
        rows, frames, (seconds, peak) = large
        print(f"{rows:>10,} {'Qualiti, with the model':<30} {seconds:>9.1f} {peak:>9.0f}")
        print(f"{rows:>10,} {'data frames in memory':<30} {'':>9} {frames:>9.0f}")
    print("\nratios (targets at 1M rows: Evidently / Qualiti with predictions given >= 10 (5),")
    print("        Qualiti with the model / floor <= 1.5 (6),")
    print("        (peak - fixed cost) / frames <= 1.5 (7);")
    print("        at 10M rows, --large: peak under 6,000 MB (7))")
    for run in runs:
        each = run["runs"]
        if len(each["floor"]) > 1:
            print(f"{run['rows']:>10,}  run by run, floor / with the model (s, MB): " + "; ".join(
                f"{f:.1f} / {q:.1f}, {qm:.0f} MB"
                for (f, _), (q, qm) in zip(each["floor"], each["qualiti"], strict=True)
            ))  # fmt: skip
    for run in runs:
        parts = []
        if "evidently" in run:
            ratio = run["evidently"][0] / run["predictions"][0]
            parts.append(f"Evidently/predictions-given time {ratio:.1f}")
        parts.append(f"with-model/floor time {run['qualiti'][0] / run['floor'][0]:.2f}")
        parts.append(
            f"(peak - fixed cost)/frames {(run['qualiti'][1] - fixed[1]) / run['frames']:.2f}"
        )
        if "evidently" in run:
            parts.append(f"Qualiti/Evidently peak {run['qualiti'][1] / run['evidently'][1]:.2f}")
        print(f"{run['rows']:>10,}  " + ", ".join(parts))
    if large:
        print(f"{large[0]:>10,}  peak {large[2][1]:,.0f} MB (target under 6,000)")


if __name__ == "__main__":
    main()
