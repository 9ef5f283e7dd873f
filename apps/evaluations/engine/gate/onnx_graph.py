"""Just enough protobuf to judge an ONNX model without the onnx package: Qualiti's one
reader of ONNX files (the sniffer asks it too).

The file is read through a memory map; tensor payloads are skipped, never read. A walk
of the model collects what the gate decides on: the operator sets it imports, the
domains of its operators (its own functions included), tensors kept in external files,
the class labels of its classifier operators, and how many nodes and how deep.
"""

import contextlib
import mmap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

# ModelProto: field number → wire type (0 varint, 2 length-delimited).
MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}
MAX_DEPTH = 64
MAX_NODES = 1_000_000
CLASSIFIER_LABELS = {"classlabels_ints", "classlabels_int64s", "classlabels_strings"}

# Where nodes, tensors and subgraphs hide, per message type: field number → message type.
_CHILDREN = {
    "model": {7: "graph", 8: "opset", 25: "function"},
    "graph": {1: "node", 5: "tensor", 15: "sparse_tensor"},
    "function": {7: "node", 9: "opset"},
    "node": {5: "attribute"},
    "attribute": {
        5: "tensor", 10: "tensor", 6: "graph", 11: "graph", 22: "sparse_tensor",
        23: "sparse_tensor",
    },
    "sparse_tensor": {1: "tensor", 2: "tensor"},
}  # fmt: skip


class ProtobufError(ValueError):
    pass


@dataclass
class OnnxFacts:
    ir_version: int | None = None
    producer: str = ""
    opsets: dict[str, int] = field(default_factory=dict)  # imported by the model
    node_domains: set[str] = field(default_factory=set)
    function_domains: set[str] = field(default_factory=set)
    external_tensors: list[str] = field(default_factory=list)
    class_labels: list[int] | list[str] | None = None
    nodes: int = 0


def _varint(data: memoryview, position: int, end: int) -> tuple[int, int]:
    result = 0
    for shift in range(0, 70, 7):
        if position >= end:
            raise ProtobufError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
    raise ProtobufError("varint too long")


def fields(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Each field as (number, wire type, value or payload start, payload end)."""
    position = start
    while position < end:
        tag, position = _varint(data, position, end)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, position = _varint(data, position, end)
            yield number, 0, value, position
        elif wire_type == 1:
            position += 8
            yield number, 1, position - 8, position
        elif wire_type == 5:
            position += 4
            yield number, 5, position - 4, position
        elif wire_type == 2:
            length, position = _varint(data, position, end)
            if position + length > end:
                raise ProtobufError("a field runs past its message")
            yield number, 2, position, position + length
            position += length
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")
        if position > end:
            raise ProtobufError("a field runs past its message")


@contextmanager
def mapped(source: str | Path | BinaryIO) -> Iterator[memoryview]:
    """The bytes of a file (a path, or an open file with a descriptor, or a BytesIO)."""
    if hasattr(source, "getbuffer"):
        view = source.getbuffer()
        try:
            yield view
        finally:
            view.release()
        return
    with contextlib.ExitStack() as stack:
        if isinstance(source, str | Path):
            file: BinaryIO = stack.enter_context(Path(source).open("rb"))
        else:
            file = source
        try:
            memory = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            yield memoryview(b"")
            return
        view = memoryview(memory)
        try:
            yield view
        finally:
            view.release()
            memory.close()


def _text(data: memoryview, start: int, end: int) -> str:
    return bytes(data[start:end]).decode("utf-8", "replace")


def model_top_level(data: memoryview, *, max_fields: int = 100_000) -> dict[str, Any] | None:
    """ir_version, producer and opsets when the bytes are a protobuf ModelProto (every
    top-level field one of ModelProto's, ending exactly at the end, with ir_version and a
    graph), else None. Only the top level is read."""
    facts: dict[str, Any] = {"opsets": {}}
    seen: set[int] = set()
    try:
        for count, (number, wire_type, value, end) in enumerate(fields(data, 0, len(data))):
            if count >= max_fields or MODEL_FIELDS.get(number) != wire_type:
                return None
            seen.add(number)
            if number == 1:
                facts["ir_version"] = value
            elif number == 2:
                facts["producer_name"] = _text(data, value, end)
            elif number == 3:
                facts["producer_version"] = _text(data, value, end)
            elif number == 8:
                domain, version = _opset(data, value, end)
                facts["opsets"][domain] = version
    except ProtobufError:
        return None
    return facts if {1, 7} <= seen else None


def _opset(data: memoryview, start: int, end: int) -> tuple[str, int]:
    """An OperatorSetIdProto: domain (1, text) and version (2, varint)."""
    domain, version = "", None
    for number, wire_type, value, value_end in fields(data, start, end):
        if number == 1 and wire_type == 2:
            domain = _text(data, value, value_end)
        elif number == 2 and wire_type == 0:
            version = value
    if version is None:
        raise ProtobufError("an operator set without a version")
    return domain or "ai.onnx", version


def model_walk(data: memoryview) -> OnnxFacts:
    """Everything the gate decides on, from one walk of the whole model."""
    top = model_top_level(data)
    if top is None:
        raise ProtobufError("it is not an ONNX model")
    facts = OnnxFacts(
        ir_version=top.get("ir_version"), producer=top.get("producer_name", ""),
        opsets=top["opsets"],
    )  # fmt: skip
    _walk(data, 0, len(data), "model", facts, 0)
    return facts


def _walk(data: memoryview, start: int, end: int, kind: str, facts: OnnxFacts, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ProtobufError("its graphs are nested too deeply")
    if kind == "tensor":
        _tensor(data, start, end, facts)
        return
    if kind == "node":
        facts.nodes += 1
        if facts.nodes > MAX_NODES:
            raise ProtobufError(f"it has more than {MAX_NODES} operators")
        _node(data, start, end, facts)
    if kind == "function":
        for number, wire_type, value, value_end in fields(data, start, end):
            if number == 10 and wire_type == 2:
                facts.function_domains.add(_text(data, value, value_end) or "ai.onnx")
    if kind == "opset":
        _opset(data, start, end)  # a malformed one is refused
        return
    children = _CHILDREN.get(kind, {})
    for number, wire_type, value, value_end in fields(data, start, end):
        child = children.get(number)
        if child is not None and wire_type == 2:
            _walk(data, value, value_end, child, facts, depth + 1)


def _tensor(data: memoryview, start: int, end: int, facts: OnnxFacts) -> None:
    name, external = "", False
    for number, wire_type, value, value_end in fields(data, start, end):
        if number == 8 and wire_type == 2:
            name = _text(data, value, value_end)
        elif number == 14 and wire_type == 0 and value == 1:
            external = True
        elif number == 13 and wire_type == 2:
            external = True  # external_data entries (location, offset…) mean the same
    if external:
        facts.external_tensors.append(name or "(unnamed)")


def _node(data: memoryview, start: int, end: int, facts: OnnxFacts) -> None:
    domain = ""
    for number, wire_type, value, value_end in fields(data, start, end):
        if number == 7 and wire_type == 2:
            domain = _text(data, value, value_end)
        elif number == 5 and wire_type == 2 and facts.class_labels is None:
            facts.class_labels = _labels(data, value, value_end)
    facts.node_domains.add(domain or "ai.onnx")


def _labels(data: memoryview, start: int, end: int) -> list[int] | list[str] | None:
    """The class labels an attribute holds, when it is a classifier's label list."""
    name = ""
    numbers: list[int] = []
    texts: list[str] = []
    for number, wire_type, value, value_end in fields(data, start, end):
        if number == 1 and wire_type == 2:
            name = _text(data, value, value_end)
        elif number == 8 and wire_type == 0:
            numbers.append(value)
        elif number == 8 and wire_type == 2:  # packed
            position = value
            while position < value_end:
                item, position = _varint(data, position, value_end)
                numbers.append(item)
        elif number == 9 and wire_type == 2:
            texts.append(_text(data, value, value_end))
    if name not in CLASSIFIER_LABELS:
        return None
    if name == "classlabels_strings":
        return texts or None
    # int64 values are written as 64-bit two's complement varints
    return [n - (1 << 64) if n >= 1 << 63 else n for n in numbers] or None
