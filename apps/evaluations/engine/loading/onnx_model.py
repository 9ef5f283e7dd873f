"""Running a single-file ONNX model with onnxruntime on the CPU.

Inputs: one 2-D float tensor fed with the features in feature-list order, or one input
per column named as the column. Outputs: a classifier gives a label tensor and its
probabilities, either as a ZipMap (a sequence of class → probability maps, as skl2onnx
writes by default) or as a plain [rows, classes] tensor; a regressor gives one float
tensor.
"""

from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.gate.onnx_file import onnx_file_check
from apps.evaluations.engine.gate.onnx_graph import OnnxFacts

_NUMPY_TYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
}


def load_onnx(path: str | Path, threads: int = 1) -> "OnnxModel":
    """An onnxruntime session for a model that passed the gate."""
    import onnxruntime

    path = Path(path)
    facts = onnx_file_check(path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: its warnings are not the user's business
    try:
        # From bytes, so a path-relative external reference could not be resolved anyway.
        session = onnxruntime.InferenceSession(
            path.read_bytes(), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own exception types
        raise EngineError(f"onnxruntime cannot load the model: {one_line(str(error))}") from error
    return OnnxModel(session, facts)


def one_line(text: str, limit: int = 400) -> str:
    """onnxruntime's messages span lines and carry a status prefix; one line is enough."""
    text = " ".join(text.split())
    for prefix in ("[ONNXRuntimeError] :", "[ONNXRuntimeError]:"):
        text = text.removeprefix(prefix).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OnnxModel:
    # Any: onnxruntime ships no types (its session, inputs and outputs).
    def __init__(self, session: Any, facts: OnnxFacts | None = None) -> None:
        self.session = session
        self.facts = facts or OnnxFacts()
        self.inputs = session.get_inputs()
        outputs = session.get_outputs()
        self.probability_output = next(
            (o for o in outputs if o.type.startswith("seq(map(")), None
        ) or next((o for o in outputs if _is_matrix(o) and "prob" in o.name.lower()), None)
        self.label_output = next(
            (
                o
                for o in outputs
                if o is not self.probability_output
                and o.type in ("tensor(int64)", "tensor(int32)", "tensor(string)")
            ),
            None,
        )
        classification = self.probability_output is not None or self.label_output is not None
        self.value_output = None if classification else outputs[0]
        self.matrix_input = len(self.inputs) == 1 and len(self.inputs[0].shape or []) == 2
        width = self.inputs[0].shape[1] if self.matrix_input else None
        self.n_features = width if isinstance(width, int) else None
        self.feature_names = None if self.matrix_input else [i.name for i in self.inputs]

    def info(self) -> dict[str, Any]:
        return {
            "task": "regression" if self.value_output is not None else "classification",
            "classes": None,  # known from a ZipMap's keys once a batch is predicted
            "feature_names": self.feature_names,
            "n_features": self.n_features,
            "has_probabilities": self.probability_output is not None,
        }

    def audit(self) -> dict[str, Any]:
        """What the upload records of the model: its task, classes and operator sets."""
        task, classes = None, self.facts.class_labels
        if self.value_output is not None:
            task, classes = "regression", None
        else:
            count = len(classes) if classes else _columns(self.probability_output)
            if count:
                task = "binary" if count == 2 else "multiclass"
        return {
            "format": "onnx",
            "task": task,
            "classes": classes,
            "opsets": self.facts.opsets,
            "ir_version": self.facts.ir_version,
            "producer_name": self.facts.producer,
            "operators": self.facts.nodes,
        }

    def smoke(self) -> None:
        """Run one row of zeros (empty strings for text inputs): a model that loops or
        crashes on it never reaches a run."""
        feed = {}
        for spec in self.inputs:
            shape = [d if isinstance(d, int) and d > 0 else 1 for d in (spec.shape or [1])]
            if spec.type == "tensor(string)":
                feed[spec.name] = np.full(shape, "", dtype=object)
            else:
                feed[spec.name] = np.zeros(shape, dtype=_NUMPY_TYPES.get(spec.type, np.float32))
        self.session.run(None, feed)

    def _feed(self, frame: pd.DataFrame) -> dict[str, NDArray[Any]]:
        if self.matrix_input:
            dtype = _NUMPY_TYPES.get(self.inputs[0].type, np.float32)
            try:
                matrix = frame.to_numpy(dtype=dtype)
            except (TypeError, ValueError) as error:
                raise EngineError(
                    "The ONNX model takes one numeric tensor, but some features are not "
                    f"numeric ({error})."
                ) from error
            return {self.inputs[0].name: matrix}
        feed = {}
        for spec in self.inputs:
            if spec.name not in frame.columns:
                raise EngineError(f"The ONNX model's input {spec.name!r} is not a data column.")
            column = frame[spec.name]
            if spec.type == "tensor(string)":
                values = column.astype("string").fillna("").to_numpy(dtype=object)
            else:
                values = column.to_numpy(dtype=_NUMPY_TYPES.get(spec.type, np.float32))
            feed[spec.name] = values.reshape(-1, 1)
        return feed

    def predict(
        self, frame: pd.DataFrame
    ) -> tuple[NDArray[Any], NDArray[np.float64] | None, list[Any] | None]:
        """Labels (or values), probabilities and the classes their columns stand for."""
        wanted = [
            o.name
            for o in (self.label_output, self.probability_output, self.value_output)
            if o is not None
        ]
        outputs = dict(zip(wanted, self.session.run(wanted, self._feed(frame)), strict=True))
        if self.value_output is not None:
            values = np.asarray(outputs[self.value_output.name], dtype=float)
            return values.reshape(len(frame), -1)[:, 0], None, None
        probabilities, classes = None, None
        if self.probability_output is not None:
            raw = outputs[self.probability_output.name]
            if isinstance(raw, list):  # ZipMap: one {class: probability} per row
                classes = list(raw[0].keys()) if raw else []
                probabilities = np.array([list(row.values()) for row in raw], dtype=float)
            else:
                probabilities = np.asarray(raw, dtype=float).reshape(len(frame), -1)
        if self.label_output is not None:
            labels = np.asarray(outputs[self.label_output.name]).reshape(len(frame))
        else:  # a classifier without a label output has a probability output
            labels = np.argmax(cast(NDArray[np.float64], probabilities), axis=1)
            if classes is not None:
                labels = np.asarray(classes)[labels]
        return labels, probabilities, classes


def _is_matrix(output: Any) -> bool:
    shape = output.shape or []
    return output.type in ("tensor(float)", "tensor(double)") and len(shape) == 2


def _columns(output: Any) -> int | None:
    """The fixed width of a [rows, classes] probability output, when the model says it."""
    shape = getattr(output, "shape", None) or []
    return shape[1] if len(shape) == 2 and isinstance(shape[1], int) else None
