"""A dataset's column names, read at upload from the CSV header line or the Parquet footer.

This is all the web process reads of a dataset: at most `MAX_HEADER_BYTES` of a CSV, or a
Parquet file's footer (whose announced length is checked before pyarrow reads it). The
full read is the background validation's.
"""

import csv
import difflib
import io
import struct
from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from apps.projects.models import DatasetFormat
from qualiti.errors import InvalidInput

MAX_HEADER_BYTES = 1024 * 1024
MAX_PARQUET_FOOTER_BYTES = 64 * 1024 * 1024


def csv_header_read(file: BinaryIO) -> list[str]:
    """The column names of a UTF-8, comma-separated file's first record."""
    file.seek(0)
    prefix = file.read(MAX_HEADER_BYTES + 1)
    file.seek(0)
    if len(prefix) > MAX_HEADER_BYTES:
        # Keep whole lines only. A newline byte never occurs inside a UTF-8 multi-byte
        # character, so the cut never splits one.
        end = prefix.rfind(b"\n", 0, MAX_HEADER_BYTES)
        if end < 0:
            raise InvalidInput(
                f"The first line (the header) is longer than {MAX_HEADER_BYTES} bytes.",
                field="file",
            )
        prefix = prefix[: end + 1]
    lines = prefix.splitlines(keepends=True)

    def decoded_lines() -> Iterator[str]:
        # Decoded as the csv reader asks for them: only the header's lines are.
        for number, line in enumerate(lines):
            yield line.decode("utf-8-sig" if number == 0 else "utf-8")

    try:
        header = next(csv.reader(decoded_lines(), strict=True), [])
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "The CSV header is not UTF-8 text; save the file as UTF-8.", field="file"
        ) from error
    except csv.Error as error:
        raise InvalidInput(f"The CSV header cannot be read: {error}.", field="file") from error
    if not any(name.strip() for name in header):
        raise InvalidInput("The first line of the CSV (its header) is empty.", field="file")
    return header


def parquet_columns_read(file: BinaryIO) -> list[str]:
    """The top-level column names from a Parquet file's footer."""
    size = file.seek(0, 2)
    file.seek(size - 8)
    footer_length = struct.unpack("<I", file.read(4))[0]
    if footer_length > min(MAX_PARQUET_FOOTER_BYTES, size - 12):
        raise InvalidInput(
            "The Parquet footer announces "
            f"{footer_length} bytes of metadata, more than the file or the "
            f"{MAX_PARQUET_FOOTER_BYTES}-byte cap allows: the file is damaged.",
            field="file",
        )
    file.seek(0)
    try:
        schema = pq.ParquetFile(file).schema_arrow
    except (pa.ArrowException, OSError) as error:
        raise InvalidInput(
            f"The Parquet file's schema cannot be read: {error}", field="file"
        ) from error
    finally:
        file.seek(0)
    return list(schema.names)


def dataset_columns_read(*, file: BinaryIO, file_format: str) -> list[str]:
    """The column names of a dataset file; refuses repeated names."""
    if file_format == DatasetFormat.PARQUET:
        columns = parquet_columns_read(file)
    else:
        columns = csv_header_read(file)
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise InvalidInput(
                f"The column name {name!r} appears more than once in the header; "
                "every column needs its own name.",
                field="file",
            )
        seen.add(name)
    return columns


NO_ROWS = "The file has a header but no rows: there is nothing to evaluate."


def dataset_rows_check(*, file: BinaryIO, file_format: str) -> None:
    """Refuse a file that has columns but no rows: a Parquet file whose footer counts none,
    or a CSV that ends with its header (a CSV longer than the header cap has rows, since
    the header itself must fit in it)."""
    size = file.seek(0, 2)
    file.seek(0)
    if file_format == DatasetFormat.PARQUET:
        try:
            rows = pq.ParquetFile(file).metadata.num_rows
        except (pa.ArrowException, OSError):
            return  # the background validation names what is wrong with it
        finally:
            file.seek(0)
        if rows == 0:
            raise InvalidInput(NO_ROWS, field="file")
        return
    if size > MAX_HEADER_BYTES:
        return
    text = file.read().decode("utf-8-sig", errors="replace")
    file.seek(0)
    try:
        records = [row for row in csv.reader(io.StringIO(text)) if any(f.strip() for f in row)]
    except csv.Error:
        return
    if len(records) <= 1:
        raise InvalidInput(NO_ROWS, field="file")


def named_columns_check(*, columns: list[str], named: dict[str, list[str]]) -> None:
    """Every column the upload names (by argument: target_column, sensitive_columns…)
    must be in the file; the refusal names each missing one and the closest existing."""
    present = set(columns)
    missing: list[str] = []
    first_field = None
    for argument, names in named.items():
        for name in names:
            if name and name not in present:
                first_field = first_field or argument
                hint = difflib.get_close_matches(name, columns, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                missing.append(f"{name!r} ({argument}){suggestion}")
    if missing:
        shown = ", ".join(repr(column) for column in columns[:30])
        more = f" and {len(columns) - 30} more" if len(columns) > 30 else ""
        raise InvalidInput(
            f"The file has no column {', no column '.join(missing)}. "
            f"Its columns are: {shown}{more}.",
            field=first_field,
            extra={
                "missing_columns": [
                    n for names in named.values() for n in names if n and n not in present
                ]
            },
        )
