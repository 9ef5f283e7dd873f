import gzip
import io
import pickle
import zipfile

import joblib
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from apps.evaluations.engine.audit import model_file_audit
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.sniff import sniff_model
from tests.engine import onnx_models


@pytest.fixture(scope="module")
def estimator():
    return LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])


def test_a_skops_file_and_an_onnx_file_are_recognised_by_content(tmp_path, estimator):
    skops_path = tmp_path / "model.onnx"  # names mean nothing
    skops_path.write_bytes(skops.io.dumps(estimator))
    onnx_path = tmp_path / "model.skops"
    onnx_path.write_bytes(onnx_models.logistic([1.0], 0.0))

    assert sniff_model(skops_path) == "skops"
    assert sniff_model(onnx_path) == "onnx"


def test_a_pickle_renamed_skops_is_refused_with_how_to_convert(tmp_path, estimator):
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(estimator, protocol=5))

    with pytest.raises(EngineError, match=r"is a Python pickle.*skops\.io\.dump.*skl2onnx"):
        sniff_model(path)


@pytest.mark.parametrize("compress", [0, 3, ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)])
def test_joblib_dumps_are_refused_compressed_or_not(tmp_path, estimator, compress):
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer, compress=compress)
    path = tmp_path / "model.skops"
    path.write_bytes(buffer.getvalue())

    with pytest.raises(EngineError, match=r"pickle"):
        sniff_model(path)


def test_a_gzipped_pickle_is_refused(tmp_path, estimator):
    path = tmp_path / "model.onnx"
    path.write_bytes(gzip.compress(pickle.dumps(estimator, protocol=4)))

    with pytest.raises(EngineError, match=r"compressed with gzip"):
        sniff_model(path)


def test_a_zip_without_a_skops_schema_and_garbage_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a\n1\n")
    zipped = tmp_path / "model.skops"
    zipped.write_bytes(buffer.getvalue())
    garbage = tmp_path / "model.onnx"
    garbage.write_bytes(b"\x08\x01garbage that is not protobuf")

    with pytest.raises(EngineError, match=r"no schema.json, so it is not a skops file"):
        model_file_audit(zipped)  # the archive is opened in the sandbox, never here
    with pytest.raises(EngineError, match=r"not a model Qualiti can load"):
        sniff_model(garbage)
