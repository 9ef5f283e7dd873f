"""Judging files by content: the sniffer, the skops audit and the header readers."""

import io
import math
import zipfile

import pytest
import skops.io
from sklearn.preprocessing import FunctionTransformer

from apps.projects.uploads.headers import csv_header_read, parquet_columns_read
from apps.projects.uploads.skops_audit import skops_audit
from apps.projects.uploads.sniffing import FileKind, sniff
from qualiti.errors import InvalidInput
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


# --- skops audit ------------------------------------------------------------------------


def test_the_audit_lists_every_type_and_the_untrusted_ones():
    transformer = FunctionTransformer(func=math.sqrt)
    content = skops.io.dumps(transformer)

    audit = skops_audit(io.BytesIO(content))

    assert audit["root_type"] == "sklearn.preprocessing._function_transformer.FunctionTransformer"
    assert "math.sqrt" in audit["types"]
    assert "math.sqrt" in audit["untrusted_types"]


def test_the_audit_never_reads_an_array_member():
    # Corrupt every array member's data: reading one would fail its CRC check.
    archive = bytearray(files.skops_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(archive))) as original:
        members = [m for m in original.infolist() if m.filename != "schema.json"]
    for member in members:
        data_start = member.header_offset + 30 + len(member.filename) + len(member.extra)
        archive[data_start + member.compress_size - 1] ^= 0xFF
    with zipfile.ZipFile(io.BytesIO(bytes(archive))) as damaged, pytest.raises(zipfile.BadZipFile):
        damaged.read(members[0].filename)

    audit = skops_audit(io.BytesIO(bytes(archive)))

    assert "sklearn.linear_model._logistic.LogisticRegression" in audit["types"]


def test_a_zip_of_65536_members_is_refused_from_its_end_record():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(65536):  # past 0xFFFF: the count is in the zip64 record
            archive.writestr(f"{number}", b"")

    with pytest.raises(InvalidInput, match="65536 members; at most 10000"):
        skops_audit(io.BytesIO(buffer.getvalue()))


def test_a_member_leaving_the_archive_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", b"{}")
        archive.writestr("../escape.npy", b"")

    with pytest.raises(InvalidInput, match="leaves the archive"):
        skops_audit(io.BytesIO(buffer.getvalue()))


def test_a_schema_skops_cannot_read_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", b'{"protocol": "two", "__loader__": "ObjectNode"}')

    with pytest.raises(InvalidInput, match="skops cannot read its schema"):
        skops_audit(io.BytesIO(buffer.getvalue()))


def test_a_damaged_zip_is_refused():
    content = files.skops_bytes()

    with pytest.raises(InvalidInput, match="refused"):
        skops_audit(io.BytesIO(content[: len(content) // 2]))


# --- headers ----------------------------------------------------------------------------


def test_the_csv_header_allows_quotes_and_a_byte_order_mark():
    header = csv_header_read(io.BytesIO(b'\xef\xbb\xbf"income, net",age\r\n1,2\r\n'))

    assert header == ["income, net", "age"]


def test_a_header_line_longer_than_the_cap_is_refused():
    content = b"a" * (1024 * 1024 + 10) + b"\n1\n"

    with pytest.raises(InvalidInput, match="longer than"):
        csv_header_read(io.BytesIO(content))


def test_only_the_header_is_decoded():
    header = csv_header_read(io.BytesIO(b"a,b\n1,\xff\xfe\n"))

    assert header == ["a", "b"]


def test_a_parquet_footer_announcing_more_than_the_file_is_refused():
    content = bytearray(files.parquet_bytes())
    content[-8:-4] = (len(content) * 2).to_bytes(4, "little")

    with pytest.raises(InvalidInput, match="the file is damaged"):
        parquet_columns_read(io.BytesIO(bytes(content)))
