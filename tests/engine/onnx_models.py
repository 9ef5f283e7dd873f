"""Real ONNX models written byte by byte (the onnx package is not a dependency):
logistic regressions with a tensor or ZipMap probability output, per-column inputs, a
linear regressor, a model that allocates without bound, and one with external data."""

import numpy as np

FLOAT, INT64 = 1, 7
INTS_ATTRIBUTE, INT_ATTRIBUTE = 7, 2


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1  # negative ints are written as 10-byte varints
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number: int, value) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    if isinstance(value, str):
        value = value.encode()
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def tensor(name: str, array: np.ndarray, *, external: bool = False) -> bytes:
    array = np.asarray(array)
    data_type = INT64 if array.dtype.kind == "i" else FLOAT
    raw = array.astype("<i8" if data_type == INT64 else "<f4").tobytes()
    body = b"".join(field(1, int(d)) for d in array.shape) + field(2, data_type) + field(8, name)
    if external:
        entries = [("location", "weights.bin"), ("offset", "0"), ("length", str(len(raw)))]
        body += b"".join(field(13, field(1, k) + field(2, v)) for k, v in entries)
        return body + field(14, 1)
    return body + field(9, raw)


def attribute_int(name: str, value: int) -> bytes:
    return field(1, name) + field(20, INT_ATTRIBUTE) + field(3, value)


def attribute_ints(name: str, values: list[int]) -> bytes:
    return field(1, name) + field(20, INTS_ATTRIBUTE) + b"".join(field(8, v) for v in values)


def node(
    op: str, inputs: list[str], outputs: list[str], *, attributes=(), domain: str = ""
) -> bytes:
    body = b"".join(field(1, i) for i in inputs) + b"".join(field(2, o) for o in outputs)
    body += field(3, f"{op}_{outputs[0]}") + field(4, op)
    body += b"".join(field(5, a) for a in attributes)
    if domain:
        body += field(7, domain)
    return body


def tensor_type(element: int, dims: list) -> bytes:
    shape = b"".join(field(1, field(2, d) if isinstance(d, str) else field(1, d)) for d in dims)
    return field(1, field(1, element) + field(2, shape))


def zipmap_type() -> bytes:
    value = field(1, field(1, FLOAT))  # tensor(float) without a shape
    return field(4, field(1, field(5, field(1, INT64) + field(2, value))))


def value_info(name: str, type_proto: bytes) -> bytes:
    return field(1, name) + field(2, type_proto)


def model(nodes, initializers, inputs, outputs, *, ml: bool = False) -> bytes:
    graph = b"".join(field(1, n) for n in nodes) + field(2, "qualiti-test")
    graph += b"".join(field(5, t) for t in initializers)
    graph += b"".join(field(11, i) for i in inputs) + b"".join(field(12, o) for o in outputs)
    opsets = field(8, field(2, 13))
    if ml:
        opsets += field(8, field(1, "ai.onnx.ml") + field(2, 3))
    return field(1, 8) + field(2, "qualiti-tests") + field(7, graph) + opsets


def logistic(
    weights, bias, *, zipmap: bool = False, columns: list[str] | None = None, external: bool = False
) -> bytes:
    """A binary logistic regression: labels 0/1 and probabilities [p0, p1]."""
    weights = np.asarray(weights, dtype=float).reshape(-1, 1)
    width = len(weights)
    nodes, inputs = [], []
    if columns:
        inputs = [value_info(name, tensor_type(FLOAT, ["N", 1])) for name in columns]
        nodes.append(node("Concat", columns, ["X"], attributes=[attribute_int("axis", 1)]))
    else:
        inputs = [value_info("X", tensor_type(FLOAT, ["N", width]))]
    nodes += [
        node("MatMul", ["X", "W"], ["Z0"]),
        node("Add", ["Z0", "B"], ["Z"]),
        node("Sigmoid", ["Z"], ["P1"]),
        node("Sub", ["ONE", "P1"], ["P0"]),
        node("Concat", ["P0", "P1"], ["probabilities"], attributes=[attribute_int("axis", 1)]),
        node(
            "ArgMax",
            ["probabilities"],
            ["output_label"],
            attributes=[attribute_int("axis", 1), attribute_int("keepdims", 0)],
        ),
    ]
    initializers = [
        tensor("W", weights, external=external),
        tensor("B", np.array([float(bias)])),
        tensor("ONE", np.array([1.0])),
    ]
    outputs = [value_info("output_label", tensor_type(INT64, ["N"]))]
    if zipmap:
        nodes.append(
            node(
                "ZipMap",
                ["probabilities"],
                ["output_probability"],
                attributes=[attribute_ints("classlabels_int64s", [0, 1])],
                domain="ai.onnx.ml",
            )
        )
        outputs.append(value_info("output_probability", zipmap_type()))
    else:
        outputs.append(value_info("probabilities", tensor_type(FLOAT, ["N", 2])))
    return model(nodes, initializers, inputs, outputs, ml=zipmap)


def linear_regressor(weights, bias) -> bytes:
    weights = np.asarray(weights, dtype=float).reshape(-1, 1)
    nodes = [node("MatMul", ["X", "W"], ["Z0"]), node("Add", ["Z0", "B"], ["variable"])]
    return model(
        nodes,
        [tensor("W", weights), tensor("B", np.array([float(bias)]))],
        [value_info("X", tensor_type(FLOAT, ["N", len(weights)]))],
        [value_info("variable", tensor_type(FLOAT, ["N", 1]))],
    )


def unbounded_allocation(width: int) -> bytes:
    """A "regressor" whose output is a 40 GB tensor of zeros, whatever the input."""
    nodes = [node("ConstantOfShape", ["SHAPE"], ["variable"])]
    return model(
        nodes,
        [tensor("SHAPE", np.array([100_000, 100_000], dtype=np.int64))],
        [value_info("X", tensor_type(FLOAT, ["N", width]))],
        [value_info("variable", tensor_type(FLOAT, [100_000, 100_000]))],
    )


def sigmoid(x):
    return 1 / (1 + np.exp(-x))
