"""Reading datasets (CSV and Parquet through pyarrow) and judging what each column holds.

Types are inferred by pyarrow. Dates become datetime64, booleans with gaps pandas'
nullable boolean, dictionary columns pandas categoricals, and text pandas' string dtype
(the default in pandas 3), so checks see one representation whatever the file format.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

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


def read_table(path: str | Path, *, role: str = "data") -> pd.DataFrame:
    """A dataset as a pandas frame; bad files raise EngineError naming the problem."""
    # No name here holds the Arrow table, so the conversion can free each column as it
    # goes (self_destruct) instead of holding the file twice in memory.
    frame = table_to_frame(_checked_table(Path(path), role))
    # Arrow's allocator keeps freed pages for reuse; the table is gone, give them back.
    pa.default_memory_pool().release_unused()
    return frame


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
    return table


def _read_parquet(path: Path, role: str) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        raise EngineError(
            f"The {role} file {path.name} is not a readable Parquet file ({error}); it may be "
            "truncated or damaged."
        ) from error


def _read_csv(path: Path, role: str) -> pa.Table:
    bad_rows: list = []

    def remember(row) -> str:
        bad_rows.append(row)
        return "error"

    try:
        return pa_csv.read_csv(
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
        raise EngineError(f"The {role} file {path.name} cannot be read as CSV: {error}") from error


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """A pyarrow table as pandas, with dates as datetime64 and gappy booleans nullable."""
    columns = []
    for field_, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_date(field_.type):
            column = column.cast(pa.timestamp("ms"))
        columns.append(column)
    table = pa.table(columns, names=table.column_names)
    del columns
    frame = table.to_pandas(
        types_mapper={pa.bool_(): pd.BooleanDtype()}.get, split_blocks=True, self_destruct=True
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
) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column's values (missing → -1) and the categories they index."""
    as_text = values.astype("string")
    if categories is None:
        categories = pd.Index(as_text.dropna().unique()).sort_values()
    codes = pd.Categorical(as_text, categories=categories).codes.astype(np.int64)
    return codes, categories
