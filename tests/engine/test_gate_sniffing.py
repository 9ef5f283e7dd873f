"""Judging files by content: the one sniffer of uploads, runs and the command line."""

import io

import pytest

from apps.evaluations.engine.gate.sniffing import FileKind, sniff
from tests.projects import files

SNIFF_CASES = [
    (b"", FileKind.EMPTY, ""),
    (files.pickle_bytes(), FileKind.PICKLE, "pickle"),
    (files.joblib_bytes(), FileKind.PICKLE, "joblib"),
    (files.joblib_bytes(3), FileKind.COMPRESSED_PICKLE, "zlib"),
    (files.joblib_bytes(("gzip", 3)), FileKind.COMPRESSED_PICKLE, "gzip"),
    (files.joblib_bytes(("bz2", 3)), FileKind.COMPRESSED_PICKLE, "bz2"),
    (files.joblib_bytes(("lzma", 3)), FileKind.COMPRESSED_PICKLE, "lzma"),
    (files.joblib_bytes(("xz", 3)), FileKind.COMPRESSED_PICKLE, "xz"),
    (files.skops_bytes(), FileKind.ZIP, ""),
    (files.onnx_bytes(), FileKind.ONNX, ""),
    (files.parquet_bytes(), FileKind.PARQUET, ""),
    (files.truncated_parquet_bytes(), FileKind.PARQUET_TRUNCATED, ""),
    (files.good_csv_bytes(), FileKind.TEXT, ""),
    (b"\xef\xbb\xbfname,caf\xc3\xa9\n", FileKind.TEXT, ""),
    (files.binary_garbage_bytes(), FileKind.BINARY, "it contains NUL bytes"),
    (b"\x93NUMPY\x01\x00", FileKind.NUMPY, ""),
    (b"\xff\xfea\x00", FileKind.UTF16_TEXT, ""),
]


@pytest.mark.parametrize(
    ("content", "kind", "detail"),
    SNIFF_CASES,
    ids=[f"{kind}-{detail}-{number}" for number, (_, kind, detail) in enumerate(SNIFF_CASES)],
)
def test_it_judges_a_file_by_its_content(content, kind, detail):
    sniffed = sniff(io.BytesIO(content))

    assert sniffed.kind == kind
    assert sniffed.detail == detail
    assert sniffed.size == len(content)


def test_text_that_merely_starts_like_zlib_stays_text():
    assert sniff(io.BytesIO(b"x^,y\n1,2\n")).kind == FileKind.TEXT  # 0x78 0x5E: a zlib header


def test_latin1_text_is_not_taken_for_utf8():
    sniffed = sniff(io.BytesIO(b"name,city\nJos\xe9,Z\xfcrich\n"))

    assert sniffed.kind == FileKind.BINARY
    assert "not UTF-8" in sniffed.detail


def test_bytes_that_start_like_onnx_but_are_not_protobuf_are_not_onnx():
    assert sniff(io.BytesIO(b"\x08\x07" + b"\xff" * 40)).kind == FileKind.BINARY
    assert sniff(io.BytesIO(files.onnx_bytes()[:-3])).kind != FileKind.ONNX


def test_an_onnx_model_without_a_graph_is_not_onnx():
    assert sniff(io.BytesIO(b"\x08\x08\x12\x03abc")).kind != FileKind.ONNX


def test_the_sniffer_leaves_the_file_at_its_start():
    file = io.BytesIO(files.good_csv_bytes())
    file.seek(50)

    sniff(file)

    assert file.tell() == 0
