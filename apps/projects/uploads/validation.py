"""The full read of a dataset file, done by a worker: schema, row count, broken rows.

Plain pyarrow, no Django: a file object in, a `ValidationReport` out. Memory stays bounded
by one block (CSV) or one column chunk of one row group (Parquet), whatever the file size.
"""

import io
import re
import threading
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from apps.evaluations.engine.data import nested_kind
from apps.projects.models import DatasetFormat

MAX_PROBLEMS = 100  # broken rows reported; the total is always counted
CSV_BLOCK_BYTES = 16 * 1024 * 1024
PARQUET_BATCH_ROWS = 64 * 1024

# The logical types of a column, as the checks and the pages speak of them.
INTEGER, FLOAT, BOOLEAN, STRING, CATEGORICAL, DATETIME = (
    "integer",
    "float",
    "boolean",
    "string",
    "categorical",
    "datetime",
)
EMPTY, OTHER = "empty", "other"  # no value at all; a type the checks do not read
NESTED = "nested"  # structs, lists, maps: the engine leaves them out
NUMERIC = {INTEGER, FLOAT}


@dataclass
class ValidationReport:
    columns: list[str] = field(default_factory=list)
    schema: dict[str, str] = field(default_factory=dict)
    row_count: int | None = None
    problems: list[dict] = field(default_factory=list)  # [{row, column, problem}]
    problem_total: int = 0
    error: str = ""  # why the file is invalid; "" when it is valid
    warnings: list[str] = field(default_factory=list)  # accepted, but worth saying

    @property
    def valid(self) -> bool:
        return not self.error

    def add_problem(self, *, row: int | None, column: str | None, problem: str) -> None:
        self.problem_total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": row, "column": column, "problem": problem})


def dataset_file_validate(
    *, file: BinaryIO, file_format: str, named: dict[str, list[str]], probability: list[str]
) -> ValidationReport:
    """Read the whole file and judge it; `named` are the columns the upload named (by
    argument), `probability` those that must be numeric."""
    if file.seek(0, 2) == 0:
        return ValidationReport(error="The file is empty.")
    file.seek(0)
    validate = parquet_validate if file_format == DatasetFormat.PARQUET else csv_validate
    report = validate(file)
    if report.error:
        return report
    for argument, names in named.items():
        for name in names:
            if name and name not in report.schema:
                report.error = f"The file has no column {name!r} (named as {argument})."
                return report
            if name and report.schema[name] == NESTED:
                report.error = (
                    f"The column {name!r} (named as {argument}) holds nested values (structs, "
                    "lists or maps), which Qualiti cannot judge; give a plain column."
                )
                return report
    nested = [name for name, kind in report.schema.items() if kind == NESTED]
    if nested:
        report.warnings.append(
            f"The column{'s' if len(nested) > 1 else ''} {', '.join(map(repr, nested))} "
            f"hold{'' if len(nested) > 1 else 's'} nested values (structs, lists or maps); "
            "the checks will leave them out."
        )
    for name in probability:
        if report.schema.get(name) not in NUMERIC:
            report.error = (
                f"The probability column {name!r} holds {report.schema.get(name)} values; "
                "probabilities must be numbers."
            )
            return report
    return report


def _summarise_problems(report: ValidationReport, noun: str) -> None:
    """The reason of an invalid file: how many problems, and the first one in full."""
    first = report.problems[0]
    where = f"row {first['row']}" if first["row"] is not None else "an unknown row"
    if first["column"]:
        where += f", column {first['column']!r}"
    plural = "s" if report.problem_total != 1 else ""
    report.error = (
        f"{report.problem_total} {noun}{plural}; the first at {where}: "
        f"{first['problem'].rstrip('.')}."
    )


# --- CSV --------------------------------------------------------------------------------

# Tried in this order: the first type every value of a column fits is its type.
_CSV_CANDIDATES = (INTEGER, FLOAT, BOOLEAN, DATETIME)
_CSV_CASTS = {
    INTEGER: (pa.int64(),),
    FLOAT: (pa.float64(),),
    BOOLEAN: (pa.bool_(),),
    DATETIME: (pa.timestamp("us"), pa.timestamp("us", tz="UTC")),
}
_ARROW_ERROR_WHERE = re.compile(
    r"(?:CSV column #(?P<column>\d+): )?Row #(?P<row>\d+): (?P<what>.*)"
)


def _fits(values: pa.Array, candidate: str) -> bool:
    for arrow_type in _CSV_CASTS[candidate]:
        try:
            pc.cast(values, arrow_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return True
    return False


class _ColumnTypes:
    """Infers each column's type from every value, batch by batch, in one pass: a type is
    dropped for good by the first value that does not fit it."""

    def __init__(self, names: list[str]):
        self.names = names
        self.candidates = {name: list(_CSV_CANDIDATES) for name in names}
        self.has_values = dict.fromkeys(names, False)

    def update(self, batch: pa.RecordBatch) -> None:
        for name, values in zip(self.names, batch.columns, strict=True):
            if values.null_count == len(values):
                continue
            self.has_values[name] = True
            self.candidates[name] = [c for c in self.candidates[name] if _fits(values, c)]

    def schema(self) -> dict[str, str]:
        schema = {}
        for name in self.names:
            if not self.has_values[name]:
                schema[name] = EMPTY
            else:
                schema[name] = (self.candidates[name] or [STRING])[0]
        return schema


class _OwnPosition(io.RawIOBase):
    """One pass's view of a file shared with another, with a position of its own.

    pyarrow's CSV reader reads blocks ahead on a background thread, which goes on after the
    reader is closed: two passes over one file object moved each other's position, and the
    second pass lost rows or got torn blocks. Each read seeks first, under the file's lock.
    """

    def __init__(self, file: BinaryIO, lock: threading.Lock) -> None:
        self.file, self.lock, self.position = file, lock, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        with self.lock:
            self.file.seek(self.position)
            data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def csv_validate(file: BinaryIO) -> ValidationReport:
    """Read a CSV in blocks; rows with the wrong number of fields are collected with their
    row number (the header is row 1, as in a spreadsheet; a quoted value spanning lines is
    one row), and every value is read as text so the types come from all rows, not from
    the first block as pyarrow's own inference would."""
    report = ValidationReport()

    def broken_row(row: pa_csv.InvalidRow) -> str:
        report.add_problem(
            row=row.number,
            column=None,
            problem=f"expected {row.expected_columns} fields, found {row.actual_columns}",
        )
        return "skip"

    read_options = pa_csv.ReadOptions(use_threads=False, block_size=CSV_BLOCK_BYTES)
    parse_options = pa_csv.ParseOptions(invalid_row_handler=broken_row)
    # A first opening reads only the names (values unchecked: the second pass reports them).
    names_only = pa_csv.ConvertOptions(check_utf8=False)
    lock = threading.Lock()
    try:
        with pa_csv.open_csv(
            _OwnPosition(file, lock),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=names_only,
        ) as first:
            names = list(first.schema.names)
    except (pa.ArrowException, OSError) as error:
        message = str(error)
        if "Empty CSV file" in message:
            report.error = "The file is empty."
        else:
            report.error = f"The CSV cannot be read: {message}"
        return report
    if len(set(names)) != len(names):
        report.error = "Some column names appear more than once in the header."
        return report

    report.columns = names
    report.problems.clear()
    report.problem_total = 0
    types = _ColumnTypes(names)
    convert_options = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True
    )
    rows = 0
    try:
        with pa_csv.open_csv(
            _OwnPosition(file, lock),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        ) as reader:
            for batch in reader:
                rows += batch.num_rows
                types.update(batch)
    except (pa.ArrowException, OSError) as error:
        # Fatal for the reader (bad UTF-8, a row longer than a block): report where.
        found = _ARROW_ERROR_WHERE.search(str(error))
        if found:
            column_index = found["column"]
            column = names[int(column_index)] if column_index is not None else None
            problem = found["what"]
            if "invalid UTF8" in problem:
                problem = "the value is not valid UTF-8 (save the file as UTF-8)"
            report.add_problem(row=int(found["row"]), column=column, problem=problem)
        else:
            report.add_problem(row=None, column=None, problem=str(error))
    report.row_count = rows
    report.schema = types.schema()
    if report.problems:
        _summarise_problems(report, "broken row")
    elif rows == 0:
        report.error = "The file has a header but no data rows."
    return report


# --- Parquet ----------------------------------------------------------------------------


def arrow_logical_type(arrow_type: pa.DataType) -> str:
    """The logical type of a Parquet column's Arrow type."""
    types = pa.types
    if nested_kind(arrow_type):
        return NESTED
    if types.is_dictionary(arrow_type):
        return CATEGORICAL
    if types.is_boolean(arrow_type):
        return BOOLEAN
    if types.is_integer(arrow_type):
        return INTEGER
    if types.is_floating(arrow_type) or types.is_decimal(arrow_type):
        return FLOAT
    if types.is_string(arrow_type) or types.is_large_string(arrow_type):
        return STRING
    if types.is_string_view(arrow_type):
        return STRING
    if types.is_temporal(arrow_type) and not types.is_duration(arrow_type):
        return DATETIME
    if types.is_null(arrow_type):
        return EMPTY
    return OTHER


def parquet_validate(file: BinaryIO) -> ValidationReport:
    """Read every column chunk of every row group; a chunk that cannot be read is reported
    with its rows (1-based) and its column, and the reading goes on."""
    report = ValidationReport()
    try:
        parquet = pq.ParquetFile(file)
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError) as error:
        report.error = f"The Parquet file cannot be read: {error}"
        return report
    names = list(schema.names)
    if len(set(names)) != len(names):
        report.error = "Some column names appear more than once in the schema."
        return report
    report.columns = names
    report.schema = {name: arrow_logical_type(schema.field(name).type) for name in names}
    metadata = parquet.metadata
    first_row = 1
    rows = 0
    for group in range(metadata.num_row_groups):
        expected = metadata.row_group(group).num_rows
        last_row = first_row + expected - 1
        for name in names:
            read = 0
            try:
                for batch in parquet.iter_batches(
                    batch_size=PARQUET_BATCH_ROWS, row_groups=[group], columns=[name]
                ):
                    read += batch.num_rows
            except (pa.ArrowException, OSError) as error:
                message = " ".join(str(error).split())
                report.add_problem(
                    row=first_row,
                    column=name,
                    problem=f"row group {group + 1} (rows {first_row} to {last_row}) cannot "
                    f"be read: {message}",
                )
                continue
            if read != expected:
                report.add_problem(
                    row=first_row,
                    column=name,
                    problem=f"row group {group + 1} announces {expected} rows, holds {read}",
                )
        rows += expected
        first_row = last_row + 1
    report.row_count = rows
    if report.problems:
        _summarise_problems(report, "unreadable column chunk")
    elif rows == 0:
        report.error = "The file has a schema but no rows."
    return report
