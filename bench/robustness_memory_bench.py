"""Peak memory of the robustness checks on wide models (issue 19, point 8).

    python bench/robustness_memory_bench.py [--features 50 200] [--rows 2000]
        [--tree /path/to/another/checkout --label before]

Trains a scikit-learn pipeline (StandardScaler, LogisticRegression) on `--features` numeric
columns, then runs the command line with the three checks that make a copy of the sample
per feature (robustness.noise, robustness.ablation, robustness.missing_inputs) on `--rows`
rows, and prints a table: wall seconds, the peak memory of the whole process tree (PSS,
sampled every 50 ms, the model's process included) and the largest single process's peak
(ru_maxrss from wait4, exact). `--tree` runs another checkout's engine on the same files:
the main branch's, say, for the numbers before a change.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from engine_bench import tree_memory_bytes  # noqa: E402

PLAN = [
    {"check": "robustness.noise", "metric": "prediction_flip_rate", "threshold": None},
    {"check": "robustness.ablation", "metric": "max_feature_metric_drop", "threshold": None},
    {"check": "robustness.missing_inputs", "metric": "failure_rate", "threshold": None},
]


def write_inputs(folder: Path, features: int, rows: int) -> None:
    """A model and its evaluation data: a noisy linear target of the features."""
    rng = np.random.default_rng(features)
    columns = [f"x{number}" for number in range(features)]
    train = pd.DataFrame(rng.normal(size=(rows, features)), columns=columns)
    weights = rng.normal(size=features) / np.sqrt(features)
    train["y"] = (train[columns].to_numpy() @ weights + rng.normal(0, 0.5, rows) > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(train[columns], train["y"])
    (folder / "model.skops").write_bytes(skops.io.dumps(model))
    evaluation = pd.DataFrame(rng.normal(size=(rows, features)), columns=columns)
    evaluation["y"] = (evaluation[columns].to_numpy() @ weights > 0).astype(int)
    evaluation.to_parquet(folder / "evaluation.parquet")
    (folder / "plan.json").write_text(json.dumps(PLAN))


def run(tree: Path, folder: Path) -> tuple[float, float, float]:
    """Wall seconds, peak tree PSS (MB) and the largest process's ru_maxrss (MB)."""
    command = [
        sys.executable, "-m", "apps.evaluations.engine",
        "--model", str(folder / "model.skops"), "--data", str(folder / "evaluation.parquet"),
        "--target", "y", "--plan", str(folder / "plan.json"), "--threads", "1",
        "--json", str(folder / "results.json"),
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_memory_bytes(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"the engine failed:\n{process.stderr.read().decode()[-2000:]}")
    errors = [
        result["message"]
        for result in json.loads((folder / "results.json").read_text())["results"]
        if result["outcome"] == "error"
    ]
    if errors:
        raise SystemExit(f"a check failed: {errors[0]}")
    return elapsed, peak / 1024**2, usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to run")
    parser.add_argument("--label", default="this tree")
    arguments = parser.parse_args()
    print("| engine | features | rows | seconds | peak tree PSS MB | largest process MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for features in arguments.features:
        with tempfile.TemporaryDirectory(prefix="qualiti-bench-") as name:
            folder = Path(name)
            write_inputs(folder, features, arguments.rows)
            seconds, pss, largest = run(arguments.tree.resolve(), folder)
        print(
            f"| {arguments.label} | {features} | {arguments.rows:,} | {seconds:.1f} | "
            f"{pss:,.0f} | {largest:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
