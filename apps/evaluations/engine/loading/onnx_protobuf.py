"""Just enough protobuf reading to judge an ONNX file without the onnx package.

Two questions are answered by walking the file's fields (through a memory map, skipping
tensor payloads without reading them): is this an ONNX ModelProto at all, and does any
tensor keep its data in an external file (which Qualiti refuses: a model must be one
file, and external paths could point anywhere on the worker).
"""

import mmap
from collections.abc import Iterator
from pathlib import Path

# ModelProto: field number → wire type (0 varint, 2 length-delimited).
_MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}
_MAX_DEPTH = 64

# Where tensors and subgraphs hide, per message type: field number → message type.
_CHILDREN = {
    "model": {7: "graph", 25: "function"},
    "graph": {1: "node", 5: "tensor", 15: "sparse_tensor"},
    "function": {7: "node"},
    "node": {5: "attribute"},
    "attribute": {
        5: "tensor",
        10: "tensor",
        6: "graph",
        11: "graph",
        22: "sparse_tensor",
        23: "sparse_tensor",
    },
    "sparse_tensor": {1: "tensor", 2: "tensor"},
}


class ProtobufError(ValueError):
    pass


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


def _fields(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
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
                raise ProtobufError("field runs past its message")
            yield number, 2, position, position + length
            position += length
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")
        if position > end:
            raise ProtobufError("field runs past its message")


def _open(path: Path) -> tuple[mmap.mmap, memoryview] | None:
    with path.open("rb") as file:
        try:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            return None
    return mapped, memoryview(mapped)


def onnx_model_fields(path: str | Path) -> dict | None:
    """The ir_version and opsets of an ONNX model, or None when the file is not one."""
    opened = _open(Path(path))
    if opened is None:
        return None
    mapped, data = opened
    try:
        facts: dict = {"opsets": {}}
        seen = set()
        for number, wire_type, value, _end in _fields(data, 0, len(data)):
            if _MODEL_FIELDS.get(number) != wire_type:
                return None
            seen.add(number)
            if number == 1:
                facts["ir_version"] = value
        if not {1, 7} <= seen:
            return None
        return facts
    except ProtobufError:
        return None
    finally:
        data.release()
        mapped.close()


def onnx_external_tensors(path: str | Path) -> list[str]:
    """The names of the tensors that keep their data outside the file (data_location 1)."""
    opened = _open(Path(path))
    if opened is None:
        return []
    mapped, data = opened
    found: list[str] = []
    try:
        _walk(data, 0, len(data), "model", found, 0)
    finally:
        data.release()
        mapped.close()
    return found


def _walk(data: memoryview, start: int, end: int, kind: str, found: list[str], depth: int):
    if depth > _MAX_DEPTH:
        raise ProtobufError("the model's graphs are nested too deeply")
    if kind == "tensor":
        name, external = "", False
        for number, wire_type, value, value_end in _fields(data, start, end):
            if number == 8 and wire_type == 2:
                name = bytes(data[value:value_end]).decode("utf-8", "replace")
            elif number == 14 and wire_type == 0 and value == 1:
                external = True
            elif number == 13 and wire_type == 2:
                external = True  # external_data entries (location, offset…) mean the same
        if external:
            found.append(name or "(unnamed)")
        return
    children = _CHILDREN[kind]
    for number, wire_type, value, value_end in _fields(data, start, end):
        child = children.get(number)
        if child is not None and wire_type == 2:
            _walk(data, value, value_end, child, found, depth + 1)
