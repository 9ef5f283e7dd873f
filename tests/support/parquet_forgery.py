"""Forged Parquet files: a real file whose footer is decoded, changed and written back.

The footer is Thrift's compact protocol; this reads and writes just enough of it (every
type, generically) to make a row group announce rows its columns never hold, as an
attacker's file does.
"""

import io
import struct

import pyarrow as pa
import pyarrow.parquet as pq

STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(13)


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position


def _unzigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _value(data: bytes, position: int, kind: int):
    if kind in (TRUE, FALSE):
        return kind == TRUE, position
    if kind == BYTE:
        return data[position], position + 1
    if kind in (I16, I32, I64):
        raw, position = _varint(data, position)
        return _unzigzag(raw), position
    if kind == DOUBLE:
        return data[position : position + 8], position + 8
    if kind == BINARY:
        length, position = _varint(data, position)
        return data[position : position + length], position + length
    if kind in (LIST, SET):
        header = data[position]
        position += 1
        size, element = header >> 4, header & 0x0F
        if size == 15:
            size, position = _varint(data, position)
        items = []
        for _ in range(size):
            if element in (TRUE, FALSE):
                item, position = data[position] == 1, position + 1
            else:
                item, position = _value(data, position, element)
            items.append(item)
        return (element, items), position
    if kind == STRUCT:
        return _struct(data, position)
    raise ValueError(f"thrift type {kind} is not needed here")


def _struct(data: bytes, position: int) -> tuple[list, int]:
    fields, last = [], 0
    while True:
        header = data[position]
        position += 1
        if header == STOP:
            return fields, position
        delta, kind = header >> 4, header & 0x0F
        if delta:
            number = last + delta
        else:
            raw, position = _varint(data, position)
            number = _unzigzag(raw)
        value, position = _value(data, position, kind)
        fields.append([number, kind, value])
        last = number


def _put_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _encode_value(kind: int, value) -> bytes:
    if kind in (TRUE, FALSE):
        return b""
    if kind == BYTE:
        return bytes([value])
    if kind in (I16, I32, I64):
        return _put_varint(_zigzag(value))
    if kind == DOUBLE:
        return value
    if kind == BINARY:
        return _put_varint(len(value)) + value
    if kind in (LIST, SET):
        element, items = value
        head = (
            bytes([(len(items) << 4) | element])
            if len(items) < 15
            else (bytes([0xF0 | element]) + _put_varint(len(items)))
        )
        if element in (TRUE, FALSE):
            return head + bytes(1 if item else 2 for item in items)
        return head + b"".join(_encode_value(element, item) for item in items)
    if kind == STRUCT:
        return _encode_struct(value)
    raise ValueError(f"thrift type {kind} is not needed here")


def _encode_struct(fields: list) -> bytes:
    out, last = bytearray(), 0
    for number, kind, value in fields:
        kind_written = (TRUE if value else FALSE) if kind in (TRUE, FALSE) else kind
        if 0 < number - last <= 15:
            out.append(((number - last) << 4) | kind_written)
        else:
            out.append(kind_written)
            out += _put_varint(_zigzag(number))
        out += _encode_value(kind, value)
        last = number
    out.append(STOP)
    return bytes(out)


def _field(fields: list, number: int) -> list:
    return next(field for field in fields if field[0] == number)


def parquet_announcing_rows(rows: int = 2**40) -> bytes:
    """A small real Parquet file whose row group (and file) announce `rows` rows."""
    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]}), buffer)
    data = buffer.getvalue()
    length = struct.unpack("<I", data[-8:-4])[0]
    footer_start = len(data) - 8 - length
    metadata, _ = _struct(data, footer_start)
    _field(metadata, 3)[2] = rows  # FileMetaData.num_rows
    _element, row_groups = _field(metadata, 4)[2]  # FileMetaData.row_groups
    _field(row_groups[0], 3)[2] = rows  # RowGroup.num_rows
    footer = _encode_struct(metadata)
    return data[:footer_start] + footer + struct.pack("<I", len(footer)) + b"PAR1"
