"""Reading datasets (CSV and Parquet through pyarrow) and judging what each column holds.

Types are inferred by pyarrow. Dates become datetime64, booleans with gaps pandas'
nullable boolean, dictionary columns pandas categoricals, and text pandas' string dtype
(the default in pandas 3), so checks see one representation whatever the file format.
"""

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.sniff import sniff_table

NUMERIC = "numeric"
CATEGORICAL = "categorical"
BOOLEAN = "boolean"
DATETIME = "datetime"
TEXT = "text"

# A string column with more distinct values than this (or than half its rows) is free
# text or an identifier, not a category.
MAX_CATEGORIES = 1000


def read_table(
    path: str | Path,
    *,
    role: str = "data",
    on_table: Callable[[pa.Table], None] | None = None,
) -> pd.DataFrame:
    """A dataset as a pandas frame; bad files raise EngineError naming the problem.

    Columns of nested values (structs, lists, maps) are left out: no check can judge them.
    `frame.attrs["left_out"]` names them with their kind, for the caller to say so (and
    to refuse a target or a sensitive column among them). `on_table` is shown the Arrow
    table the frame is made of, row for row, before it becomes the frame (and must not
    keep it: the conversion frees the table's columns as it goes).
    """
    table = _checked_table(Path(path), role)
    left_out = {
        field_.name: nested_kind(field_.type) for field_ in table.schema if nested_kind(field_.type)
    }
    if left_out:
        table = table.drop_columns(list(left_out))
    # Rebound, never copied: `table` is then the only table holding the file's buffers, so
    # the conversion frees each column as it goes instead of holding the file twice.
    table = dates_as_timestamps(table)
    if on_table is not None:
        on_table(table)
    frame = table_to_frame(table)
    del table
    frame.attrs["left_out"] = left_out
    # Arrow's allocator keeps freed pages for reuse; the table is gone, give them back.
    pa.default_memory_pool().release_unused()
    return frame


def nested_kind(arrow_type: pa.DataType) -> str:
    """ "struct", "list", "map" or "union" for a nested column's type, else ""."""
    types = pa.types
    if types.is_dictionary(arrow_type):
        return nested_kind(arrow_type.value_type)
    if types.is_struct(arrow_type):
        return "struct"
    if types.is_map(arrow_type):
        return "map"
    if types.is_list(arrow_type) or types.is_large_list(arrow_type):
        return "list"
    if types.is_fixed_size_list(arrow_type) or types.is_list_view(arrow_type):
        return "list"
    if types.is_large_list_view(arrow_type):
        return "list"
    if types.is_union(arrow_type):
        return "union"
    return ""


def _checked_table(path: Path, role: str) -> pa.Table:
    kind = sniff_table(path)
    table = _read_parquet(path, role) if kind == "parquet" else _read_csv(path, role)
    if table.num_columns == 0:
        raise EngineError(f"The {role} file {path.name} has no columns.")
    names = table.column_names
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise EngineError(
            f"The {role} file {path.name} has duplicate column names: {', '.join(duplicates)}."
        )
    if table.num_rows == 0:
        raise EngineError(
            f"The {role} file {path.name} has no rows: a header alone gives nothing to evaluate."
        )
    return table


def _parquet_plausible(path: Path, role: str) -> None:
    """A row group must hold the rows it announces (a forged footer announcing 2^40 rows
    would make the reader allocate them all), and the whole must fit in memory."""
    try:
        metadata = pq.ParquetFile(path).metadata
    except (pa.ArrowException, OSError) as error:
        raise EngineError(
            f"The {role} file {path.name} is not a readable Parquet file ({error}); it may be "
            "truncated or damaged."
        ) from error
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        for column in range(group.num_columns):
            chunk = group.column(column)
            if chunk.num_values < group.num_rows:
                raise EngineError(
                    f"The {role} file {path.name} is damaged: row group {index + 1} announces "
                    f"{group.num_rows} rows but its column {chunk.path_in_schema!r} holds "
                    f"{chunk.num_values} values."
                )
    needed = metadata.num_rows * max(metadata.num_columns, 1) * 8
    available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if needed > available:
        raise EngineError(
            f"The {role} file {path.name} announces {metadata.num_rows} rows of "
            f"{metadata.num_columns} columns, at least {needed / 1024**3:.0f} GiB in memory; "
            f"this machine has {available / 1024**3:.0f} GiB. Sample the data first."
        )


def _read_parquet(path: Path, role: str) -> pa.Table:
    _parquet_plausible(path, role)
    try:
        # Without pre-buffering: on a local file it only reads every column chunk into
        # memory ahead of decoding, which at a million rows held the file's size again
        # (and cost time) at the reading's peak.
        return pq.read_table(path, pre_buffer=False)
    except (pa.ArrowException, OSError) as error:
        raise EngineError(
            f"The {role} file {path.name} is not a readable Parquet file ({error}); it may be "
            "truncated or damaged."
        ) from error


def _read_csv(path: Path, role: str) -> pa.Table:
    bad_rows: list[Any] = []  # pyarrow's InvalidRow (pyarrow ships no types)

    def remember(row: Any) -> str:
        bad_rows.append(row)
        return "error"

    try:
        table = pa_csv.read_csv(
            path,
            parse_options=pa_csv.ParseOptions(invalid_row_handler=remember),
            # An empty field (or NA, null, …) is missing in a text column too, as in pandas;
            # otherwise a CSV's missing categories would differ from the same Parquet's.
            convert_options=pa_csv.ConvertOptions(strings_can_be_null=True),
        )
    except pa.ArrowInvalid as error:
        if bad_rows:
            row = bad_rows[0]
            where = f" on line {row.number}" if row.number is not None else ""
            text = row.text if len(row.text) <= 80 else row.text[:77] + "..."
            raise EngineError(
                f"The {role} file {path.name} has a ragged row{where}: {row.actual_columns} "
                f"fields where the header has {row.expected_columns} ({text!r})."
            ) from error
        message = str(error).removeprefix("CSV parse error: ")
        raise EngineError(f"The {role} file {path.name} is not valid CSV: {message}") from error
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
        message = " ".join(str(error).split())
        raise EngineError(
            f"The {role} file {path.name} cannot be read as CSV: {message}"
        ) from error
    # pyarrow reads a column holding bytes that are not UTF-8 as raw bytes.
    undecodable = [
        field_.name
        for field_ in table.schema
        if pa.types.is_binary(field_.type) or pa.types.is_large_binary(field_.type)
    ]
    if undecodable:
        raise EngineError(
            f"The {role} file {path.name} is not UTF-8 text throughout: the column "
            f"{undecodable[0]!r} holds bytes that cannot be decoded; save the CSV as UTF-8."
        )
    return table


def dates_as_timestamps(table: pa.Table) -> pa.Table:
    """The table with its date columns as timestamps (pandas has no date type)."""
    for index, field_ in enumerate(table.schema):
        if pa.types.is_date(field_.type):
            timestamps = table.column(index).cast(pa.timestamp("ms"))
            table = table.set_column(index, field_.name, timestamps)
    return table


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """A pyarrow table as pandas, with dates as datetime64 and gappy booleans nullable.

    The table is emptied as it converts (self_destruct), each column freed once it is in
    pandas; that saves memory only when no other table shares its buffers (a caller holding
    the table a slice, a cast or `dates_as_timestamps` came from keeps them)."""
    table = dates_as_timestamps(table)
    frame = table.to_pandas(  # pandas' saved index and nullable types are not restored
        types_mapper={pa.bool_(): pd.BooleanDtype()}.get,
        split_blocks=True,
        self_destruct=True,
        ignore_metadata=True,
    )
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.BooleanDtype) and not frame[name].isna().any():
            frame[name] = frame[name].astype(bool)
    return frame


def column_kind(series: pd.Series) -> str:
    """numeric, boolean, datetime, categorical or text (free text and identifiers)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOLEAN
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMERIC
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATETIME
    if isinstance(dtype, pd.CategoricalDtype):
        return CATEGORICAL
    distinct = series.nunique(dropna=True)
    if distinct <= MAX_CATEGORIES and distinct <= max(20, 0.5 * series.notna().sum()):
        return CATEGORICAL
    return TEXT


def column_kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {name: column_kind(frame[name]) for name in frame.columns}


def is_discrete(kind: str) -> bool:
    return kind in (CATEGORICAL, BOOLEAN)


def as_category_codes(
    values: pd.Series, categories: pd.Index | None = None
) -> tuple[NDArray[np.int64], pd.Index]:
    """Integer codes of a column's values (missing → -1) and the categories they index."""
    as_text = values.astype("string")
    if categories is None:
        categories = pd.Index(as_text.dropna().unique()).sort_values()
    codes = pd.Categorical(as_text, categories=categories).codes.astype(np.int64)
    return codes, categories


def left_out_columns_check(
    frames: dict[str, pd.DataFrame | None],
    *,
    target: str,
    sensitive: Sequence[str],
    features: Sequence[str] | None,
) -> list[str]:
    """Nested columns (`read_table` leaves them out): refused when the evaluation needs
    them, a warning otherwise."""
    warnings = []
    needed = {target: "target", **dict.fromkeys(sensitive, "sensitive column")}
    needed.update(dict.fromkeys(features or (), "feature"))
    for role, frame in frames.items():
        left_out = {} if frame is None else frame.attrs.get("left_out", {})
        for name, kind in left_out.items():
            if name in needed:
                raise EngineError(
                    f"The {needed[name]} {name!r} of the {role} data holds nested values "
                    f"({kind}s), which Qualiti cannot judge; give a plain column."
                )
        if left_out:
            described = ", ".join(f"{name!r} ({kind})" for name, kind in left_out.items())
            plural = "s hold" if len(left_out) > 1 else " holds"
            warnings.append(
                f"The {role} data's column{plural} nested values, which no check can judge: "
                f"{described}; the checks leave {'them' if len(left_out) > 1 else 'it'} out."
            )
    return warnings


def column_list(frame: pd.DataFrame, limit: int = 12) -> str:
    """A frame's first column names, for a message."""
    names = [str(name) for name in frame.columns[:limit]]
    more = len(frame.columns) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")
