"""Datasets staged for the model as the command line reads them, while the model loads."""

import numpy as np
import pyarrow as pa
import pytest
from sklearn.linear_model import LogisticRegression

from apps.evaluations.engine.context import EngineSettings, EvaluationContext
from apps.evaluations.engine.data import read_table
from apps.evaluations.engine.runner import ModelSandbox, SandboxLimits
from tests.engine.synthetic import population
from tests.engine.test_runner import FEATURES, CountingSandbox, dump, fitted_pipeline


@pytest.fixture(scope="module")
def frame():
    return population(500, 0)


@pytest.fixture(scope="module")
def pipeline(frame):
    return fitted_pipeline(frame)


def test_a_dataset_staged_as_it_was_read_is_predicted_from_its_files(tmp_path, frame):
    """The command line writes each dataset for the model while the model still loads,
    every column of it: the model's process takes out the features, in their order (a
    model fitted on an array knows no names to pick them by)."""
    features = ["score", "age"]
    model = LogisticRegression().fit(frame[features].to_numpy(), frame["y"])
    data = tmp_path / "evaluation.parquet"
    frame[["region", "y", "age", "score"]].to_parquet(data, index=False)
    settings = EngineSettings(prediction_part_rows=200)

    with CountingSandbox(dump(tmp_path, model), limits=SandboxLimits(batch_rows=64)) as sandbox:
        evaluation = read_table(
            data, on_table=lambda table: sandbox.stage("evaluation", table, 200)
        )
        folder = sandbox._started().folder
        staged = sorted(path.name for path in folder.glob("staged-*"))
        context = EvaluationContext(
            evaluation=evaluation, target="y", features=features, source=sandbox,
            settings=settings,
        )  # fmt: skip
        context.request_predictions(["evaluation"])
        predictions = context.predictions("evaluation")
        left = list(folder.glob("staged-*"))

    assert staged == [f"staged-evaluation-{part}.arrow" for part in range(3)]
    assert sandbox.requested_rows == staged  # only the requests went, no frame
    expected = model.predict_proba(frame[features].to_numpy())
    np.testing.assert_allclose(predictions.probabilities, expected)
    assert left == []  # each part's file is removed once its predictions are in


@pytest.mark.parametrize(
    "staged", [lambda frame: frame.iloc[:300], lambda frame: frame.drop(columns=["region"])]
)
def test_staged_parts_without_every_row_or_feature_are_not_used(tmp_path, frame, pipeline, staged):
    settings = EngineSettings(prediction_part_rows=200)

    with CountingSandbox(dump(tmp_path, pipeline)) as sandbox:
        sandbox.stage("evaluation", pa.Table.from_pandas(staged(frame)), 200)
        context = EvaluationContext(
            evaluation=frame, target="y", features=FEATURES, source=sandbox, settings=settings
        )
        context.request_predictions(["evaluation"])
        left = list(sandbox._started().folder.glob("staged-*"))
        predictions = context.predictions("evaluation")

    assert sandbox.requested_rows == [200, 200, 100]
    assert left == []  # removed as soon as they were found wanting
    np.testing.assert_allclose(predictions.probabilities, pipeline.predict_proba(frame[FEATURES]))


def test_integers_with_gaps_are_staged_as_the_frame_holds_them(tmp_path, frame, pipeline):
    """Floats, as in the frame: each batch is converted on its own in the model's process,
    and a batch without a gap would otherwise come out as integers."""
    table = pa.table({"gappy": pa.array([1, None, 3, 4]), "whole": pa.array([1, 2, 3, 4])})

    with ModelSandbox(dump(tmp_path, pipeline)) as sandbox:
        sandbox.stage("evaluation", table, 2)
        paths = sandbox.staged("evaluation", ["gappy", "whole"], 4)
        schemas = [pa.ipc.open_file(path).schema for path in paths]

    assert len(schemas) == 2  # the second part has no gap
    assert all(schema.field("gappy").type == pa.float64() for schema in schemas)
    assert all(schema.field("whole").type == pa.int64() for schema in schemas)


def test_the_evaluation_data_go_to_the_model_in_larger_batches_than_the_rest(
    tmp_path, frame, pipeline
):
    """Larger batches for the evaluation data, which the model predicts while the data
    checks run; the reference keeps the usual size. The predictions are the same."""
    limits = SandboxLimits(batch_rows=64, evaluation_batch_rows=128)
    table = pa.Table.from_pandas(frame[FEATURES].iloc[:200], preserve_index=False)

    with RecordingSandbox(dump(tmp_path, pipeline), limits=limits) as sandbox:
        for role in ("evaluation", "reference"):
            sandbox.stage(role, table, 200)
        batches, outputs = {}, {}
        for role in ("evaluation", "reference"):
            (path,) = sandbox.staged(role, FEATURES, 200)
            file = pa.ipc.open_file(path)
            batches[role] = [file.get_batch(i).num_rows for i in range(file.num_record_batches)]
            outputs[role] = sandbox.collect(sandbox.predict_later(path, FEATURES))

    assert batches == {"evaluation": [128, 72], "reference": [64, 64, 64, 8]}
    predicted = [request for request in sandbox.sent if request["op"] == "predict"]
    assert [request["batch_rows"] for request in predicted] == [128, 64]
    expected = pipeline.predict_proba(frame[FEATURES].iloc[:200])
    for role in ("evaluation", "reference"):
        np.testing.assert_allclose(outputs[role].probabilities, expected)


def test_wide_evaluation_data_keep_the_usual_batches(tmp_path, pipeline):
    """As many rows as fit in `evaluation_batch_mb` of Arrow data, never fewer than the
    usual batch: 2,100 float columns are 16.8 kB a row, 62 rows to the megabyte."""
    limits = SandboxLimits(batch_rows=64, evaluation_batch_rows=128, evaluation_batch_mb=1)
    wide = pa.table({f"x{i}": np.zeros(200) for i in range(2_100)})

    with ModelSandbox(dump(tmp_path, pipeline), limits=limits) as sandbox:
        sandbox.stage("evaluation", wide, 200)
        (path,) = sandbox._started().folder.glob("staged-evaluation-*")
        file = pa.ipc.open_file(path)
        batches = [file.get_batch(i).num_rows for i in range(file.num_record_batches)]

    assert batches == [64, 64, 64, 8]


class RecordingSandbox(ModelSandbox):
    """Keeps every request sent to the model's process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = []

    def _send(self, request, stage):
        self.sent.append(request)
        super()._send(request, stage)
