"""The model's process started before the command line imports its libraries."""

import os
import pickle
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from apps.evaluations.engine import child_process
from apps.evaluations.engine.cli import _sandbox, read_frames
from apps.evaluations.engine.cli_arguments import build_parser, start_model_early
from apps.evaluations.engine.runner import ModelSandbox
from tests.engine.synthetic import population
from tests.support.processes import model_processes

FEATURES = ["age", "score"]


@pytest.fixture
def model(tmp_path):
    frame = population(200, 0)
    path = tmp_path / "model.skops"
    path.write_bytes(skops.io.dumps(LogisticRegression().fit(frame[FEATURES], frame["y"])))
    return path


@pytest.fixture(autouse=True)
def no_process_left():
    yield
    child_process.close_early()
    assert model_processes(os.getpid()) == []


def arguments(model, *more):
    return ["--model", str(model), "--data", "eval.csv", "--target", "y", *map(str, more)]


def test_the_process_started_early_is_the_one_that_loads_the_model(model):
    argv = arguments(model, "--threads", "2", "--memory-mb", "2048")
    start_model_early(argv)
    (early,) = model_processes(os.getpid())

    sandbox = _sandbox(build_parser().parse_args(argv))
    try:
        sandbox.spawn()
        sandbox.start(audit=True)  # its imports were asked for early: one reply each

        assert sandbox.pid == early
        assert sandbox.info is not None and sandbox.info.feature_names == tuple(FEATURES)
    finally:
        sandbox.close()
    assert child_process._early == []


def test_a_sandbox_with_other_limits_starts_its_own_process(model):
    start_model_early(arguments(model, "--memory-mb", "2048"))
    (early,) = model_processes(os.getpid())

    with ModelSandbox(model) as sandbox:  # the default 4096 MB
        assert sandbox.pid != early
        assert sandbox.info is not None
    assert model_processes(os.getpid()) == [early]  # until the command line closes it


def test_an_early_process_nobody_takes_is_closed_with_its_folder(model):
    start_model_early(arguments(model))
    (folder,) = [child.folder for child in child_process._early]

    child_process.close_early()

    assert model_processes(os.getpid()) == []
    assert not folder.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--data", "eval.csv", "--target", "y"],  # no model: predictions given
        ["--model", "model.skops", "--target", "y"],  # no data: the command line says so
        ["--help"],
    ],
)
def test_nothing_starts_early_without_a_model_and_valid_arguments(argv, capsys):
    start_model_early(argv)

    assert child_process._early == []
    assert capsys.readouterr() == ("", "")  # the command line is the one to speak


def test_a_refused_model_starts_no_process(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))

    start_model_early(arguments(path))

    assert child_process._early == []


def test_a_process_started_for_another_format_is_not_taken(model):
    limits = _sandbox(build_parser().parse_args(arguments(model))).limits
    onnx = {"op": "prepare", "format": "onnx"}
    child_process.start_early(
        child_process.MODEL_PROCESS_MODULE, limits.child_config(), limits.threads, onnx
    )
    (early,) = model_processes(os.getpid())

    with ModelSandbox(model, limits=limits) as sandbox:
        assert sandbox.pid != early
        assert sandbox.info is not None


def test_a_process_that_cannot_start_early_is_left_to_the_sandbox(model, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(child_process.subprocess, "Popen", refuse)
    folders_before = set(Path(tempfile.gettempdir()).glob("qualiti-model-*"))

    start_model_early(arguments(model))

    assert child_process._early == []
    assert set(Path(tempfile.gettempdir()).glob("qualiti-model-*")) == folders_before
    assert capsys.readouterr() == ("", "")


def test_the_command_line_never_stages_the_target_for_the_model(model, tmp_path):
    frame = population(300, 0)
    data = tmp_path / "evaluation.parquet"
    frame[["age", "y", "score"]].to_parquet(data, index=False)
    parsed = build_parser().parse_args(
        ["--model", str(model), "--data", str(data), "--target", "y"]
    )

    with _sandbox(parsed) as sandbox:
        read_frames(parsed, sandbox)
        (names, parts) = sandbox._staged["evaluation"]
        columns = pa.ipc.open_file(parts[0][0]).schema.names

    assert names == {"age", "score"} and columns == ["age", "score"]
