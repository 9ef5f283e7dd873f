"""What a file is, judged by its content, never by its name: the one sniffer of uploads,
runs and the command line.

Only the first `HEAD_BYTES` and the last few bytes are read, plus, for a file that looks
like ONNX, the tags of its top-level protobuf fields (found by seeking, not reading; the
gate walks the whole model later, in the sandbox).
"""

import bz2
import codecs
import lzma
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, BinaryIO, Protocol

from apps.evaluations.engine.gate.onnx_graph import mapped, model_top_level

HEAD_BYTES = 64 * 1024
# A real ONNX model has about ten top-level fields; the gate walks the whole model later.
_ONNX_MAX_FIELDS = 10_000


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
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. ONNX ir_version and opsets


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
    if is_pickle(head):
        joblib = b"joblib" in head or b"NumpyArrayWrapper" in head
        return Sniffed(FileKind.PICKLE, size, detail="joblib" if joblib else "pickle")
    compression = _compression(head)
    if compression is not None:
        name, inner = compression
        kind = FileKind.COMPRESSED_PICKLE if is_pickle(inner) else FileKind.COMPRESSED
        return Sniffed(kind, size, detail=name)
    if head.startswith(b"\x93NUMPY"):
        return Sniffed(FileKind.NUMPY, size)
    if head[:1] == b"\x08":  # ONNX's first field, ir_version, as protobuf writes it
        with mapped(file) as view:
            facts = model_top_level(view, max_fields=_ONNX_MAX_FIELDS)
        if facts is not None:
            return Sniffed(FileKind.ONNX, size, facts=facts)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Sniffed(FileKind.UTF16_TEXT, size)
    reason = _why_not_text(head, complete=size <= len(head))
    if reason:
        return Sniffed(FileKind.BINARY, size, detail=reason)
    return Sniffed(FileKind.TEXT, size)


def is_pickle(head: bytes) -> bool:
    """Whether bytes start as a pickle of protocol 2 or later."""
    # Protocol 2 and later open with PROTO (0x80) and the protocol number; joblib,
    # pickle.dump's default and pandas all write protocol 4 or 5.
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


class _Decompressor(Protocol):
    """What zlib's, bz2's and lzma's decompressor objects have in common here."""

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


def _compression(head: bytes) -> tuple[str, bytes] | None:
    """The compression of a file and the first bytes it decompresses to, or None.

    A magic number alone is not trusted (a CSV may start with "x^"): the head must also
    decompress.
    """
    candidates: list[tuple[str, Callable[[], _Decompressor]]] = []
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


def _decompress_start(decompressor: _Decompressor, head: bytes) -> bytes:
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
