"""The command line, run as a subprocess: exit statuses, the summary and the JSON file."""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from apps.evaluations.engine.cli import build_parser, main, thread_split
from apps.evaluations.engine.results import RESULT_KEYS
from tests.engine import onnx_models, sandbox_models
from tests.engine.synthetic import datasets, plant

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ["age", "income", "score", "tenure"]


def engine(*arguments, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "apps.evaluations.engine", *map(str, arguments)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    data = datasets(0)
    model = LogisticRegression(max_iter=1000).fit(data.train[FEATURES], data.train["y"])
    (folder / "model.skops").write_bytes(skops.io.dumps(model))
    columns = [*FEATURES, "region", "y"]
    data.evaluation[columns].to_csv(folder / "eval.csv", index=False)
    data.reference[columns].to_parquet(folder / "reference.parquet")
    data.train[columns].to_csv(folder / "train.csv", index=False)
    overlapping, _ = plant("overlap", datasets(0))
    overlapping.evaluation.to_csv(folder / "overlap.csv", index=False)
    data.train.to_csv(folder / "train_full.csv", index=False)
    return folder


def test_a_healthy_run_exits_0_and_writes_every_result(files, tmp_path):
    out = tmp_path / "out.json"
    completed = engine(
        "--model",
        files / "model.skops",
        "--data",
        files / "eval.csv",
        "--reference",
        files / "reference.parquet",
        "--train",
        files / "train.csv",
        "--target",
        "y",
        "--sensitive",
        "region",
        "--json",
        out,
    )

    assert completed.returncode == 0, completed.stderr
    document = json.loads(out.read_text())
    assert document["summary"]["verdict"] in ("pass", "pass_with_warnings")
    assert document["summary"]["blocking_failures"] == 0
    assert document["features"] == [*FEATURES, "region"] or document["features"] == FEATURES
    assert len(document["results"]) > 30
    for result in document["results"]:
        assert tuple(result) == RESULT_KEYS
    assert "Verdict:" in completed.stdout
    assert completed.stdout.splitlines()[0].split()[:2] == ["OUTCOME", "SEVERITY"]


def test_a_blocking_failure_exits_1_and_is_listed_first(files, tmp_path):
    completed = engine(
        "--data",
        files / "overlap.csv",
        "--train",
        files / "train_full.csv",
        "--target",
        "y",
        "--prediction",
        "prediction",
        "--probability",
        "probability",
        "--json",
        tmp_path / "out.json",
    )

    assert completed.returncode == 1, completed.stderr
    first = completed.stdout.splitlines()[1]
    assert first.startswith("FAIL (blocking)")
    assert "data_quality.train_eval_overlap" in first


def test_a_custom_plan_is_run(files, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            [
                {
                    "check": "data_quality.duplicates",
                    "comparator": "<=",
                    "threshold": 0.5,
                    "blocking": True,
                }
            ]
        )
    )
    out = tmp_path / "out.json"

    completed = engine(
        "--data",
        files / "overlap.csv",
        "--target",
        "y",
        "--prediction",
        "prediction",
        "--plan",
        plan,
        "--json",
        out,
    )

    assert completed.returncode == 0, completed.stderr
    assert [r["check"] for r in json.loads(out.read_text())["results"]] == [
        "data_quality.duplicates"
    ]


def bad_inputs(folder: Path) -> dict:
    """Each bad input: (arguments, what the message must say)."""
    (folder / "pickled.skops").write_bytes(pickle.dumps(LogisticRegression(), protocol=5))
    (folder / "ragged.csv").write_text("age,y\n1,0\n2\n3,1\n")
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.table({"age": list(range(100)), "y": [0, 1] * 50}), buffer)
    whole = buffer.getvalue().to_pybytes()
    (folder / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    (folder / "external.onnx").write_bytes(onnx_models.logistic([1.0] * 4, 0.0, external=True))
    (folder / "segfault.skops").write_bytes(skops.io.dumps(sandbox_models.SegfaultingModel()))
    (folder / "greedy.skops").write_bytes(skops.io.dumps(sandbox_models.GreedyModel()))
    data = ["--data", folder / "eval.csv", "--target", "y"]
    return {
        "pickle": (["--model", folder / "pickled.skops", *data], "pickle"),
        "ragged": (
            ["--prediction", "y", "--data", folder / "ragged.csv", "--target", "y"],
            "ragged row",
        ),
        "truncated": (
            ["--prediction", "y", "--data", folder / "cut.parquet", "--target", "y"],
            "truncated",
        ),
        "no target": (
            [
                "--model",
                folder / "model.skops",
                "--data",
                folder / "eval.csv",
                "--target",
                "outcome",
            ],
            "target column 'outcome' is not in",
        ),
        "features": (
            [
                "--model",
                folder / "model.skops",
                "--data",
                folder / "eval.csv",
                "--target",
                "y",
                "--features",
                "age",
                "height",
            ],
            "'height' are not in the evaluation data",
        ),
        "external": (["--model", folder / "external.onnx", *data], "external files"),
        "segfault": (
            [
                "--model",
                folder / "segfault.skops",
                *data,
                "--trusted-type",
                "tests.engine.sandbox_models.SegfaultingModel",
            ],
            "crashed while predicting",
        ),
        "greedy": (
            [
                "--model",
                folder / "greedy.skops",
                *data,
                "--memory-mb",
                "1536",
                "--trusted-type",
                "tests.engine.sandbox_models.GreedyModel",
            ],
            "ran out of memory while predicting",
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["pickle", "ragged", "truncated", "no target", "features", "external", "segfault", "greedy"],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(files, case):
    arguments, message = bad_inputs(files)[case]

    completed = engine(*arguments)

    assert completed.returncode == 2, (completed.stdout, completed.stderr)
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert completed.stderr.startswith("error: ")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "x.csv", "--target", "y"], "Give --model, or --prediction"),
        (["--data", "nowhere.csv", "--target", "y", "--prediction", "p"], "does not exist"),
    ],
)
def test_missing_inputs_are_named(capsys, arguments, message):
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_a_bad_plan_exits_2(files, tmp_path, capsys):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([{"check": "drift.everything"}]))

    status = main(
        [
            "--data",
            str(files / "eval.csv"),
            "--target",
            "y",
            "--prediction",
            "y",
            "--plan",
            str(plan),
        ]
    )

    assert status == 2
    assert "unknown check 'drift.everything'" in capsys.readouterr().err


def test_argument_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--data", "x.csv"])
    assert exit_.value.code == 2


def test_threads_default_to_the_cores_this_process_may_use():
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    required = ["--data", "eval.csv", "--target", "y"]
    assert build_parser().parse_args(required).threads == usable
    assert build_parser().parse_args([*required, "--threads", "1"]).threads == 1
    assert build_parser().parse_args([*required, "--threads", "3"]).threads == 3


def test_the_model_and_the_checks_never_ask_for_more_threads_than_the_cores():
    assert thread_split(1) == (1, 1)  # one core: one thread each, as before
    for cores in range(2, 65):
        model, checks = thread_split(cores)
        assert model >= 1 and checks >= 1 and model + checks == cores


def test_threads_below_one_are_refused_in_one_line(files):
    completed = engine("--data", files / "eval.csv", "--target", "y", "--threads", "0")
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "--threads" in completed.stderr


def test_the_physical_cores_are_counted_while_the_checks_are_imported(monkeypatch):
    """joblib runs `lscpu` the first time HistGradientBoosting asks for the physical cores:
    asked while the checks are imported (a small process), not forked later from a large
    one."""
    from joblib.externals.loky.backend import context as loky_context

    from apps.evaluations.engine import cli

    monkeypatch.setattr(loky_context, "physical_cores_cache", None)  # as in a new process
    cli._checks_imported()

    started = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: started.append(args))
    import joblib

    joblib.cpu_count(only_physical_cores=True)  # what HistGradientBoosting's fit asks
    assert started == []
