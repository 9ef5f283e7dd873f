"""What an uploaded file is, judged by its content, never by its name.

Only the first `HEAD_BYTES` and the last few bytes are read, plus, for a file that looks
like ONNX, the tags of its top-level protobuf fields (found by seeking, not reading).
"""

import bz2
import codecs
import lzma
import unicodedata
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import BinaryIO

HEAD_BYTES = 64 * 1024


class FileKind(StrEnum):
    EMPTY = "empty"
    PICKLE = "pickle"  # a Python pickle, or an uncompressed joblib dump (also a pickle)
    COMPRESSED_PICKLE = "compressed_pickle"  # a compressed joblib dump
    COMPRESSED = "compressed"  # gzip, bz2, xz… of something that is not a pickle
    NUMPY = "numpy"
    ZIP = "zip"
    ONNX = "onnx"
    PARQUET = "parquet"
    PARQUET_TRUNCATED = "parquet_truncated"  # PAR1 at the start, not at the end
    TEXT = "text"  # UTF-8 text: a candidate CSV
    UTF16_TEXT = "utf16_text"
    BINARY = "binary"


@dataclass(frozen=True)
class Sniffed:
    kind: FileKind
    size: int
    detail: str = ""  # e.g. the compression ("gzip") or why text was judged binary
    facts: dict = field(default_factory=dict)  # e.g. ONNX ir_version and opsets


def _read_at(file: BinaryIO, offset: int, length: int) -> bytes:
    file.seek(offset)
    return file.read(length)


def _file_size(file: BinaryIO) -> int:
    return file.seek(0, 2)


def sniff(file: BinaryIO) -> Sniffed:
    """Judge a seekable binary file from its content; the position is left at 0."""
    size = _file_size(file)
    head = _read_at(file, 0, HEAD_BYTES)
    tail = _read_at(file, max(0, size - 4), 4)
    try:
        return _judge(file, size, head, tail)
    finally:
        file.seek(0)


def _judge(file: BinaryIO, size: int, head: bytes, tail: bytes) -> Sniffed:
    if size == 0:
        return Sniffed(FileKind.EMPTY, size)
    if head.startswith(b"PAR1"):
        if size >= 12 and tail == b"PAR1":
            return Sniffed(FileKind.PARQUET, size)
        return Sniffed(FileKind.PARQUET_TRUNCATED, size)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return Sniffed(FileKind.ZIP, size)
    if _is_pickle(head):
        joblib = b"joblib" in head or b"NumpyArrayWrapper" in head
        return Sniffed(FileKind.PICKLE, size, detail="joblib" if joblib else "pickle")
    compression = _compression(head)
    if compression is not None:
        name, inner = compression
        kind = FileKind.COMPRESSED_PICKLE if _is_pickle(inner) else FileKind.COMPRESSED
        return Sniffed(kind, size, detail=name)
    if head.startswith(b"\x93NUMPY"):
        return Sniffed(FileKind.NUMPY, size)
    if head[:1] == b"\x08":  # ONNX's first field, ir_version, as protobuf writes it
        facts = onnx_top_level_fields(file, size)
        if facts is not None:
            return Sniffed(FileKind.ONNX, size, facts=facts)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Sniffed(FileKind.UTF16_TEXT, size)
    reason = _why_not_text(head, complete=size <= len(head))
    if reason:
        return Sniffed(FileKind.BINARY, size, detail=reason)
    return Sniffed(FileKind.TEXT, size)


def _is_pickle(head: bytes) -> bool:
    # Protocol 2 and later open with PROTO (0x80) and the protocol number; joblib,
    # pickle.dump's default and pandas all write protocol 4 or 5.
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _compression(head: bytes) -> tuple[str, bytes] | None:
    """The compression of a file and the first bytes it decompresses to, or None.

    A magic number alone is not trusted (a CSV may start with "x^"): the head must also
    decompress.
    """
    candidates: list[tuple[str, object]] = []
    if head.startswith(b"\x1f\x8b"):
        candidates.append(("gzip", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)))
    if head.startswith(b"BZh"):
        candidates.append(("bz2", bz2.BZ2Decompressor))
    if head.startswith(b"\xfd7zXZ\x00"):
        candidates.append(("xz", lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)))
    if head.startswith(b"\x5d\x00\x00"):
        candidates.append(("lzma", lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE)))
    if head.startswith(b"\x04\x22\x4d\x18"):
        return ("lz4", b"")  # no lz4 decoder here; lz4 is never a dataset or model format
    if head.startswith(b"ZF"):  # joblib < 0.10: "ZF", a hex length, then a zlib stream
        start = head.find(b"x", 2, 32)
        if start > 0:
            candidates.append(("zlib", zlib.decompressobj))
            head = head[start:]
    elif len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        candidates.append(("zlib", zlib.decompressobj))
    for name, make in candidates:
        try:
            inner = _decompress_start(make(), head)
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
            continue
        if inner:
            return name, inner
    return None


def _decompress_start(decompressor: object, head: bytes) -> bytes:
    # At most a few bytes out: enough to see a pickle header, never a bomb.
    if isinstance(decompressor, bz2.BZ2Decompressor | lzma.LZMADecompressor):
        return decompressor.decompress(head, max_length=16)
    return decompressor.decompress(head, 16)


# Control characters that a CSV may hold; any other one means binary content.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def _why_not_text(head: bytes, *, complete: bool) -> str:
    """Why these first bytes are not UTF-8 text ("" when they are)."""
    if b"\x00" in head:
        return "it contains NUL bytes"
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        # A multi-byte character cut at the end of the sample is fine unless it is the end.
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError as error:
        return f"it is not UTF-8 text (byte {error.start} cannot be decoded)"
    for position, char in enumerate(text):
        if char not in _TEXT_CONTROLS and unicodedata.category(char) == "Cc":
            return f"it contains the control character U+{ord(char):04X} at {position}"
    return ""


# --- ONNX -------------------------------------------------------------------------------

# ONNX's ModelProto: field number → protobuf wire type (0 varint, 2 length-delimited).
_ONNX_MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}
_ONNX_MAX_FIELDS = 1_000_000
_ONNX_SMALL_FIELD_BYTES = 4096  # producer names and opset ids are read; the graph is skipped


class _ProtobufEnd(Exception):
    pass


def _varint(file: BinaryIO) -> int:
    result = 0
    for shift in range(0, 70, 7):
        byte = file.read(1)
        if not byte:
            raise _ProtobufEnd
        result |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return result
    raise ValueError("varint too long")


def _varint_from(data: bytes, position: int) -> tuple[int, int]:
    result = 0
    for shift in range(0, 70, 7):
        if position >= len(data):
            raise ValueError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
    raise ValueError("varint too long")


def _opset(data: bytes) -> tuple[str, int] | None:
    """An OperatorSetIdProto: domain (1, string) and version (2, varint)."""
    domain, version, position = "", None, 0
    try:
        while position < len(data):
            tag, position = _varint_from(data, position)
            if tag == (1 << 3 | 2):
                length, position = _varint_from(data, position)
                domain = data[position : position + length].decode("utf-8", "replace")
                position += length
            elif tag == (2 << 3 | 0):
                version, position = _varint_from(data, position)
            else:
                return None
    except ValueError:
        return None
    return (domain or "ai.onnx", version) if version is not None else None


def onnx_top_level_fields(file: BinaryIO, size: int) -> dict | None:
    """The facts of an ONNX model (ir_version, producer, opsets), or None when the file is
    not a protobuf ModelProto: every top-level field must be one of ModelProto's with its
    wire type, the fields must end exactly at the end of the file, and ir_version and graph
    must be there. Length-delimited fields are skipped by seeking, so a 2 GiB graph costs
    one seek."""
    file.seek(0)
    facts: dict = {"opsets": {}}
    seen: set[int] = set()
    try:
        for _ in range(_ONNX_MAX_FIELDS):
            if file.tell() == size:
                break
            tag = _varint(file)
            number, wire_type = tag >> 3, tag & 7
            if _ONNX_MODEL_FIELDS.get(number) != wire_type:
                return None
            seen.add(number)
            if wire_type == 0:
                value = _varint(file)
                if number == 1:
                    facts["ir_version"] = value
                continue
            length = _varint(file)
            start = file.tell()
            if start + length > size:
                return None
            if number in (2, 3, 8) and length <= _ONNX_SMALL_FIELD_BYTES:
                value = file.read(length)
                if number == 8:
                    opset = _opset(value)
                    if opset is None:
                        return None
                    facts["opsets"][opset[0]] = opset[1]
                else:
                    key = "producer_name" if number == 2 else "producer_version"
                    facts[key] = value.decode("utf-8", "replace")
            file.seek(start + length)
        else:
            return None
    except (_ProtobufEnd, ValueError):
        return None
    if not {1, 7} <= seen:
        return None
    return facts
