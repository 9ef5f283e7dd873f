"""The command line refuses what uploads refuse, through the same gate, each time with
exit 2 and exactly one line on standard error; what it accepts but works around it says
in a "Warning:" line."""

import pyarrow.parquet as pq
import pytest

from tests.engine.test_cli import engine
from tests.projects import files as upload_files
from tests.support import genuine_models, hostile_models
from tests.support.parquet_forgery import parquet_announcing_rows

FEATURES = ["x0", "x1", "x2", "x3"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-refusals")
    _features, binary, *_ = genuine_models.numbers()
    frame = genuine_models.frame().rename(
        columns=dict(zip(["age", "income", "score", "tenure"], FEATURES, strict=True))
    )
    frame["y"] = binary
    frame.drop(columns="region").to_csv(folder / "eval.csv", index=False)
    return folder


def one_refusal(completed, words: str) -> None:
    assert completed.returncode == 2, (completed.stdout, completed.stderr)
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("error: ") and words in completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


@pytest.mark.parametrize("name", list(hostile_models.HOSTILE))
def test_every_hostile_model_is_refused_in_one_line(data, tmp_path, name):
    file_name, make, words = hostile_models.HOSTILE[name]
    model = tmp_path / file_name
    model.write_bytes(make())

    completed = engine(
        "--model", model, "--data", data / "eval.csv", "--target", "y",
        "--features", *FEATURES, "--load-timeout", "5",
    )  # fmt: skip

    one_refusal(completed, words)


@pytest.mark.parametrize(
    ("content", "suffix", "words"),
    [
        (
            upload_files.late_bad_utf8_csv_bytes(),
            "csv",
            "line 15002 holds bytes that are not UTF-8",
        ),
        (b"y,p\n" + b"1,1\n" * 200_000 + b"0,\x00\n", "csv", "NUL byte (line 200002)"),
        (b"y,p\n", "csv", "has no rows"),
        (parquet_announcing_rows(), "parquet", "announces 1099511627776 rows"),
        (b"y,p\n1,1\n2\n", "csv", "ragged row"),
    ],
    ids=["late-bad-utf8", "late-nul", "header-only", "forged-row-count", "ragged"],
)
def test_every_data_problem_is_refused_in_one_line(tmp_path, content, suffix, words):
    path = tmp_path / f"data.{suffix}"
    path.write_bytes(content)

    completed = engine("--data", path, "--target", "y", "--prediction", "p")

    one_refusal(completed, words)


def test_nested_columns_are_left_out_with_a_warning_and_a_nested_target_refused(data, tmp_path):
    model = tmp_path / "model.skops"
    model.write_bytes(genuine_models.skops_model("random_forest"))
    table = upload_files.nested_table(rows=300)
    frame = genuine_models.frame().rename(
        columns=dict(zip(["age", "income", "score", "tenure"], FEATURES, strict=True))
    )
    for name in [*FEATURES, "y"]:
        table = table.append_column(name, [frame[name].to_numpy()])
    pq.write_table(table, tmp_path / "nested.parquet")
    run = ["--model", model, "--data", tmp_path / "nested.parquet", "--features", *FEATURES]

    accepted = engine(*run, "--target", "y")
    refused = engine(*run, "--target", "meta")

    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stderr.splitlines() == [
        "Warning: The evaluation data's columns hold nested values, which no check can "
        "judge: 'meta' (struct), 'tags' (list); the checks leave them out."
    ]
    assert ", 0 error," in accepted.stdout
    one_refusal(refused, "The target 'meta' of the evaluation data holds nested values")


def test_bad_arguments_are_one_line_too():
    completed = engine("--data", "x.csv")

    one_refusal(completed, "required: --target")
