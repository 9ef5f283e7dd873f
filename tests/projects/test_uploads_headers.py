"""The header readers of uploads: a CSV's first record, a Parquet file's footer."""

import io

import pytest

from apps.projects.uploads.headers import csv_header_read, parquet_columns_read
from qualiti.errors import InvalidInput
from tests.projects import files


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
