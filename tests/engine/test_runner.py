"""The model sandbox: real child processes, real crashes."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from apps.evaluations.engine.context import EngineSettings, EvaluationContext
from apps.evaluations.engine.errors import EngineError, ModelCrashed
from apps.evaluations.engine.model_folder import remove_orphaned_folders
from apps.evaluations.engine.runner import ModelSandbox, SandboxLimits
from tests.engine import onnx_models, sandbox_models
from tests.engine.synthetic import population
from tests.support.processes import model_processes

FEATURES = ["age", "score", "region"]


@pytest.fixture(scope="module")
def frame():
    return population(500, 0)


def fitted_pipeline(frame):
    transform = make_column_transformer(
        (StandardScaler(), ["age", "score"]), (OneHotEncoder(handle_unknown="ignore"), ["region"])
    )
    return make_pipeline(transform, LogisticRegression()).fit(frame[FEATURES], frame["y"])


@pytest.fixture(scope="module")
def pipeline(frame):
    return fitted_pipeline(frame)


def dump(tmp_path, obj, name="model.skops"):
    path = tmp_path / name
    path.write_bytes(skops.io.dumps(obj))
    return path


def test_a_skops_pipeline_predicts_in_the_child_as_it_does_here(tmp_path, frame, pipeline):
    with ModelSandbox(dump(tmp_path, pipeline)) as sandbox:
        predictions = sandbox.predict(frame, FEATURES)
        info = sandbox.info

    assert info.task == "classification" and info.classes == (0, 1)
    assert info.feature_names == tuple(FEATURES)
    np.testing.assert_allclose(predictions.probabilities, pipeline.predict_proba(frame[FEATURES]))
    np.testing.assert_array_equal(predictions.labels, pipeline.predict(frame[FEATURES]))


def test_predictions_are_made_in_batches(tmp_path, frame):
    model = Ridge().fit(frame[["age", "score"]].to_numpy(), frame["income"])
    limits = SandboxLimits(batch_rows=64)

    with ModelSandbox(dump(tmp_path, model), limits=limits) as sandbox:
        predictions = sandbox.predict(frame, ["age", "score"])

    np.testing.assert_allclose(
        predictions.labels, model.predict(frame[["age", "score"]].to_numpy())
    )


class CountingSandbox(ModelSandbox):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requested_rows = []

    def predict_later(self, frame, features):
        self.requested_rows.append(frame.name if isinstance(frame, Path) else len(frame))
        return super().predict_later(frame, features)


def test_a_dataset_is_handed_to_the_model_in_parts_and_joined_in_order(tmp_path, frame):
    """String labels of different lengths per part, and probabilities: joined as if the
    dataset had gone in one request."""
    labels = np.where(frame["y"] == 1, "yes", "no")
    labels[frame["age"].to_numpy() > 60] = "maybe"
    model = LogisticRegression(max_iter=500).fit(frame[["age", "score"]], labels)
    settings = EngineSettings(prediction_part_rows=200)

    with CountingSandbox(dump(tmp_path, model)) as sandbox:
        context = EvaluationContext(
            evaluation=frame, target="y", features=["age", "score"], source=sandbox,
            settings=settings,
        )  # fmt: skip
        context.request_predictions(["evaluation"])
        predictions = context.predictions("evaluation")

    assert sandbox.requested_rows == [200, 200, 100]
    np.testing.assert_array_equal(predictions.labels, model.predict(frame[["age", "score"]]))
    np.testing.assert_allclose(
        predictions.probabilities, model.predict_proba(frame[["age", "score"]])
    )


def test_untrusted_types_are_refused_by_name(tmp_path):
    with pytest.raises(EngineError, match=r"tests.engine.sandbox_models.SegfaultingModel") as error:
        ModelSandbox(dump(tmp_path, sandbox_models.SegfaultingModel())).start()

    assert not isinstance(error.value, ModelCrashed)


def test_a_model_that_segfaults_takes_down_only_its_child(tmp_path, frame):
    path = dump(tmp_path, sandbox_models.SegfaultingModel())
    sandbox = ModelSandbox(path, trusted_types=["tests.engine.sandbox_models.SegfaultingModel"])

    with sandbox, pytest.raises(ModelCrashed, match=r"crashed while predicting.*SIGSEGV"):
        sandbox.predict(frame, FEATURES)


def test_a_model_that_allocates_without_bound_hits_the_memory_limit(tmp_path, frame):
    path = dump(tmp_path, sandbox_models.GreedyModel())
    limits = SandboxLimits(memory_mb=1536)
    sandbox = ModelSandbox(
        path, limits=limits, trusted_types=["tests.engine.sandbox_models.GreedyModel"]
    )

    with sandbox, pytest.raises(ModelCrashed, match=r"ran out of memory while predicting.*1536 MB"):
        sandbox.predict(frame, FEATURES)


def test_a_model_that_never_answers_is_stopped(tmp_path, frame):
    path = dump(tmp_path, sandbox_models.SlowModel())
    limits = SandboxLimits(predict_timeout_s=1.0)
    sandbox = ModelSandbox(
        path, limits=limits, trusted_types=["tests.engine.sandbox_models.SlowModel"]
    )

    with sandbox, pytest.raises(ModelCrashed, match=r"longer than 1 s while predicting"):
        sandbox.predict(frame, FEATURES)
    assert sandbox.pid is None


def test_a_model_whose_features_are_not_in_the_data_is_refused(tmp_path, frame, pipeline):
    data = frame.drop(columns=["region"])

    with (
        ModelSandbox(dump(tmp_path, pipeline)) as sandbox,
        pytest.raises(EngineError, match=r"features 'region' are not in the evaluation data"),
    ):
        EvaluationContext(evaluation=data, target="y", source=sandbox)


def onnx_file(tmp_path, content: bytes):
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("zipmap", [False, True])
def test_an_onnx_classifier_gives_labels_and_probabilities(tmp_path, frame, zipmap):
    weights, bias = [0.05, 1.2], -2.0
    path = onnx_file(tmp_path, onnx_models.logistic(weights, bias, zipmap=zipmap))

    with ModelSandbox(path) as sandbox:
        predictions = sandbox.predict(frame, ["age", "score"])

    expected = onnx_models.sigmoid(frame[["age", "score"]].to_numpy() @ weights + bias)
    np.testing.assert_allclose(predictions.probabilities[:, 1], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(predictions.labels, (expected > 0.5).astype(int))
    if zipmap:
        assert predictions.classes.tolist() == [0, 1]


def test_an_onnx_model_with_one_input_per_column_is_fed_by_name(tmp_path, frame):
    path = onnx_file(tmp_path, onnx_models.logistic([1.0, -0.5], 0.0, columns=["score", "age"]))

    with ModelSandbox(path) as sandbox:
        context = EvaluationContext(evaluation=frame, target="y", source=sandbox)
        predictions = context.predictions()

    assert context.features == ["score", "age"]
    expected = onnx_models.sigmoid(frame["score"] - 0.5 * frame["age"])
    np.testing.assert_allclose(predictions.probabilities[:, 1], expected, rtol=1e-5, atol=1e-6)


def test_an_onnx_regressor_gives_values(tmp_path, frame):
    path = onnx_file(tmp_path, onnx_models.linear_regressor([2.0, 3.0], 1.0))

    with ModelSandbox(path) as sandbox:
        predictions = sandbox.predict(frame, ["age", "score"])
        assert sandbox.info.task == "regression"

    np.testing.assert_allclose(
        predictions.labels, 2 * frame["age"] + 3 * frame["score"] + 1, rtol=1e-5, atol=1e-6
    )


def test_an_onnx_model_with_external_data_is_refused(tmp_path):
    path = onnx_file(tmp_path, onnx_models.logistic([1.0, 2.0], 0.0, external=True))
    (tmp_path / "weights.bin").write_bytes(np.ones(2, dtype="<f4").tobytes())

    with pytest.raises(EngineError, match=r"external files \(W\).*single-file"):
        ModelSandbox(path).start()


def test_an_onnx_model_that_allocates_without_bound_is_stopped(tmp_path, frame):
    path = onnx_file(tmp_path, onnx_models.unbounded_allocation(2))
    sandbox = ModelSandbox(path, limits=SandboxLimits(memory_mb=1536))

    with sandbox, pytest.raises(ModelCrashed, match=r"(memory|crashed) while predicting"):
        sandbox.predict(frame, ["age", "score"])


@pytest.mark.parametrize("threads", [1, 2])
def test_the_childs_thread_pools_are_pinned(tmp_path, frame, threads):
    path = dump(tmp_path, sandbox_models.ThreadCountModel())
    sandbox = ModelSandbox(
        path,
        limits=SandboxLimits(threads=threads),
        trusted_types=["tests.engine.sandbox_models.ThreadCountModel"],
    )

    with sandbox:
        predictions = sandbox.predict(frame.head(3), FEATURES)

    assert predictions.labels.tolist() == [threads] * 3


def test_a_string_labelled_model_round_trips_without_pickles(tmp_path, frame):
    labels = np.where(frame["y"] == 1, "yes", "no")
    model = LogisticRegression().fit(frame[["age", "score"]], labels)

    with ModelSandbox(dump(tmp_path, model)) as sandbox:
        predictions = sandbox.predict(frame, ["age", "score"])

    assert predictions.labels.dtype.kind == "U"
    assert set(predictions.labels) <= {"yes", "no"}
    assert isinstance(pd.Series(predictions.labels).iloc[0], str)


def test_a_suspended_sandbox_starts_again_when_asked_to_predict(tmp_path, frame, pipeline):
    with ModelSandbox(dump(tmp_path, pipeline)) as sandbox:
        sandbox.suspend()
        predictions = sandbox.predict(frame, FEATURES)

    np.testing.assert_array_equal(predictions.labels, pipeline.predict(frame[FEATURES]))


def process_is_running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting for its reaper."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return False


def test_the_models_process_dies_with_the_process_that_runs_it(tmp_path, frame):
    """A worker killed mid-run must not leave its model predicting (PR_SET_PDEATHSIG)."""
    model = dump(tmp_path, sandbox_models.SlowModel())
    frame.to_parquet(tmp_path / "data.parquet")
    script = (
        "import pandas as pd\n"
        "from apps.evaluations.engine.runner import ModelSandbox, SandboxLimits\n"
        f"sandbox = ModelSandbox({str(model)!r}, limits=SandboxLimits(predict_timeout_s=300),"
        " trusted_types=['tests.engine.sandbox_models.SlowModel'])\n"
        "sandbox.start()\n"
        "print(sandbox.pid, flush=True)\n"
        f"sandbox.predict(pd.read_parquet({str(tmp_path / 'data.parquet')!r}), {FEATURES!r})\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    model_pid = int(parent.stdout.readline())
    folder = Path(f"/proc/{model_pid}/cwd").resolve()  # its files, the data handed over
    time.sleep(1)

    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process_is_running(model_pid):
        time.sleep(0.1)
    remove_orphaned_folders()  # as the next model's process does before it starts

    assert not process_is_running(model_pid), "the model's process outlived its parent"
    # Gone: removed here, or already by another test's new folder (the suite runs in parallel)
    assert folder.name.startswith("qualiti-model-") and not folder.exists()


# --- no model process outlives its use -----------------------------------------------


class Interrupted(Exception):
    """Raised into the test's thread by a timer, as Celery's soft time limit is."""


@pytest.fixture
def interrupt_after():
    def arm(seconds: float) -> None:
        def raise_interrupted(signum, frame):
            raise Interrupted

        signal.signal(signal.SIGALRM, raise_interrupted)
        signal.setitimer(signal.ITIMER_REAL, seconds)

    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


def test_ten_refused_loads_leave_no_model_process(tmp_path):
    model = dump(tmp_path, sandbox_models.SlowModel())  # its type is not trusted
    for _ in range(10):
        with pytest.raises(EngineError, match="does not trust"), ModelSandbox(model):
            pass
    assert model_processes(os.getpid()) == []


def test_a_refusal_collected_later_closes_the_process_and_is_repeated(tmp_path, frame):
    sandbox = ModelSandbox(dump(tmp_path, sandbox_models.SlowModel())).start(wait=False)
    for _ in range(2):
        with pytest.raises(EngineError, match="does not trust"):
            sandbox.predict(frame, FEATURES)
    assert model_processes(os.getpid()) == []


def test_a_load_over_its_time_limit_leaves_no_model_process(tmp_path):
    model = dump(tmp_path, sandbox_models.SlowLoadingModel())
    trusted = ["tests.engine.sandbox_models.SlowLoadingModel"]
    limits = SandboxLimits(load_timeout_s=1)
    with pytest.raises(ModelCrashed, match="longer than 1 s while loading"):
        ModelSandbox(model, limits=limits, trusted_types=trusted).start()
    assert model_processes(os.getpid()) == []


@pytest.mark.parametrize("model", ["SlowLoadingModel", "SlowModel"])
def test_an_exception_raised_into_a_wait_leaves_no_model_process(
    tmp_path, frame, model, interrupt_after
):
    path = dump(tmp_path, getattr(sandbox_models, model)())
    trusted = [f"tests.engine.sandbox_models.{model}"]
    interrupt_after(1.5)
    with pytest.raises(Interrupted), ModelSandbox(path, trusted_types=trusted) as sandbox:
        sandbox.predict(frame, FEATURES)
    assert model_processes(os.getpid()) == []


def test_interrupting_a_prediction_from_another_thread_fails_it_as_a_crash(tmp_path, frame):
    path = dump(tmp_path, sandbox_models.SlowModel())
    trusted = ["tests.engine.sandbox_models.SlowModel"]
    with ModelSandbox(path, trusted_types=trusted) as sandbox:
        threading.Timer(1.0, sandbox.interrupt).start()
        started = time.monotonic()
        with pytest.raises(ModelCrashed, match="killed by SIGKILL"):
            sandbox.predict(frame, FEATURES)
        assert time.monotonic() - started < 30
    assert model_processes(os.getpid()) == []
