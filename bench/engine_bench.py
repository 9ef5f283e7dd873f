"""Qualiti's engine against Evidently and against the floor (read + one predict_proba).

    python bench/engine_bench.py [--rows 100000 1000000] [--skip-evidently]

Makes the data deterministically under bench/data/ (first run only), sets up the bench-only
Evidently environment (bench/.venv-evidently, from bench/requirements-evidently.txt) if
missing, then times each tool in its own process and samples the peak memory of its whole
process tree (Qualiti's model child included). Prints a table and the target ratios.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
FIXED_COST_ROWS = 1_000
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


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak tree memory (MB, PSS) of a command; fails loudly if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory_bytes(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if process.returncode not in (0, 1):  # 1: Qualiti found a blocking failure
        raise SystemExit(f"{command[:3]} failed:\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, peak / 1024**2


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-evidently", action="store_true")
    arguments = parser.parse_args()
    prepare(DATA, [FIXED_COST_ROWS, *arguments.rows])
    if not arguments.skip_evidently:
        setup_evidently()
    model, reference = DATA / "model.skops", DATA / "reference.parquet"
    reference_scored = DATA / "reference-scored.parquet"
    if not reference_scored.exists():
        measure([sys.executable, str(HERE / "baseline_read_predict.py"), str(reference),
                 str(model), str(reference_scored)])  # fmt: skip

    # What Qualiti costs on a tiny file: two Python processes with the numeric libraries
    # loaded, the model, and no data to speak of; the rest of its peak grows with the data.
    small = DATA / f"evaluation-{FIXED_COST_ROWS}.parquet"
    fixed = measure(
        [sys.executable, "-m", "apps.evaluations.engine", "--model", str(model), "--data",
         str(small), "--reference", str(small), "--target", TARGET, "--sensitive", SENSITIVE]
    )  # fmt: skip
    rows_out = []
    for rows in arguments.rows:
        data = DATA / f"evaluation-{rows}.parquet"
        scored = DATA / f"evaluation-{rows}-scored.parquet"
        in_memory = frame_megabytes(data) + frame_megabytes(reference)
        floor = measure([sys.executable, str(HERE / "baseline_read_predict.py"), str(data),
                         str(model), ""])  # fmt: skip
        if not scored.exists():
            measure([sys.executable, str(HERE / "baseline_read_predict.py"), str(data),
                     str(model), str(scored)])  # fmt: skip
        qualiti = measure(
            [sys.executable, "-m", "apps.evaluations.engine", "--model", str(model),
             "--data", str(data), "--reference", str(reference), "--target", TARGET,
             "--sensitive", SENSITIVE, "--json", str(DATA / f"qualiti-{rows}.json")]
        )  # fmt: skip
        evidently = None
        if not arguments.skip_evidently:
            evidently = measure(
                [str(EVIDENTLY_PYTHON), str(HERE / "evidently_run.py"), str(scored),
                 str(reference_scored)]
            )  # fmt: skip
        rows_out.append((rows, in_memory, floor, qualiti, evidently))

    print(f"\n{'rows':>10} {'tool':<28} {'seconds':>9} {'peak MB':>9}  (memory: PSS of the tree)")
    for rows, in_memory, floor, qualiti, evidently in rows_out:
        print(f"{rows:>10,} {'read + predict_proba (floor)':<28} {floor[0]:>9.1f} {floor[1]:>9.0f}")
        print(f"{rows:>10,} {'Qualiti default plan':<28} {qualiti[0]:>9.1f} {qualiti[1]:>9.0f}")
        if evidently:
            print(f"{rows:>10,} {'Evidently (no model run)':<28} {evidently[0]:>9.1f} "
                  f"{evidently[1]:>9.0f}")  # fmt: skip
        print(f"{rows:>10,} {'data frames in memory':<28} {'':>9} {in_memory:>9.0f}")
    print(f"{FIXED_COST_ROWS:>10,} {'Qualiti, fixed cost':<28} {fixed[0]:>9.1f} {fixed[1]:>9.0f}")
    print("\nratios (targets at 1M rows: Evidently/Qualiti time >= 5, Qualiti/floor time <= 3,")
    print("        Qualiti peak / frames in memory <= 4, Qualiti peak < Evidently peak)")
    for rows, in_memory, floor, qualiti, evidently in rows_out:
        parts = [
            f"Qualiti/floor time {qualiti[0] / floor[0]:.2f}",
            f"Qualiti peak/frames {qualiti[1] / in_memory:.2f}",
            f"(Qualiti peak - fixed cost)/frames {(qualiti[1] - fixed[1]) / in_memory:.2f}",
        ]
        if evidently:
            parts.insert(0, f"Evidently/Qualiti time {evidently[0] / qualiti[0]:.2f}")
            parts.append(f"Qualiti/Evidently peak {qualiti[1] / evidently[1]:.2f}")
        print(f"{rows:>10,}  " + ", ".join(parts))


if __name__ == "__main__":
    main()
