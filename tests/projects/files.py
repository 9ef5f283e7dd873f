"""Upload files built at test time: real models and datasets, and every kind of bad file."""

import io
import pickle
import random
import zipfile
from functools import cache

import joblib
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import skops.io
from sklearn.linear_model import LogisticRegression

# --- models -----------------------------------------------------------------------------


@cache
def sklearn_model() -> LogisticRegression:
    """A real, small fitted classifier over three features."""
    generator = np.random.default_rng(0)
    features = generator.normal(size=(60, 3))
    target = (features[:, 0] + features[:, 1] > 0).astype(int)
    return LogisticRegression().fit(features, target)


def skops_bytes() -> bytes:
    return skops.io.dumps(sklearn_model())


def pickle_bytes() -> bytes:
    return pickle.dumps(sklearn_model(), protocol=5)


def joblib_bytes(compress: int | tuple[str, int] = 0) -> bytes:
    """What `joblib.dump(model, path, compress=compress)` writes (a pickle, compressed
    with zlib for an int > 0, or with the named method)."""
    buffer = io.BytesIO()
    joblib.dump(sklearn_model(), buffer, compress=compress)
    return buffer.getvalue()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: int | bytes | str) -> bytes:
    """One protobuf field: a varint for an int, length-delimited otherwise."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    if isinstance(value, str):
        value = value.encode()
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _tensor_value_info(name: str, width: int) -> bytes:
    dims = _field(1, _field(2, "batch")) + _field(1, _field(1, width))  # [batch, width]
    tensor_type = _field(1, 1) + _field(2, dims)  # elem_type FLOAT, shape
    return _field(1, name) + _field(2, _field(1, tensor_type))


def onnx_bytes() -> bytes:
    """A real ONNX model (Identity over a float [batch, 3] input), encoded by hand since
    the onnx package is not a dependency; onnxruntime loads it."""
    node = _field(1, "X") + _field(2, "Y") + _field(3, "identity") + _field(4, "Identity")
    graph = (
        _field(1, node)
        + _field(2, "qualiti-test-graph")
        + _field(11, _tensor_value_info("X", 3))
        + _field(12, _tensor_value_info("Y", 3))
    )
    return (
        _field(1, 8)  # ir_version
        + _field(2, "qualiti-tests")  # producer_name
        + _field(7, graph)
        + _field(8, _field(2, 13))  # opset_import: the default domain, version 13
    )


def _skops_schema() -> bytes:
    with zipfile.ZipFile(io.BytesIO(skops_bytes())) as archive:
        return archive.read("schema.json")


def zip_bomb_bytes(unpacked_bytes: int = 32 * 1024 * 1024) -> bytes:
    """A .skops-looking archive whose one member unpacks ~1000 times its packed size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        bomb.writestr("schema.json", _skops_schema())
        bomb.writestr("bomb.npy", bytes(unpacked_bytes))
    return buffer.getvalue()


def many_members_zip_bytes(members: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", _skops_schema())
        for number in range(members):
            archive.writestr(f"member-{number}.npy", b"")
    return buffer.getvalue()


def zip_without_schema_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    return buffer.getvalue()


# --- datasets ---------------------------------------------------------------------------

GOOD_COLUMNS = ["age", "income", "gender", "approved", "score", "signup"]


def good_csv_bytes(rows: int = 200) -> bytes:
    lines = [",".join(GOOD_COLUMNS)]
    for number in range(rows):
        lines.append(
            f"{20 + number % 50},{1000.5 + number},{'FM'[number % 2]},"
            f"{number % 2},{(number % 10) / 10},2024-01-{1 + number % 28:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


def ragged_csv_bytes() -> bytes:
    """Line 3 lacks a field and line 5 has one too many (the header is line 1)."""
    return b"a,b,c\n1,2,x\n3,4\n5,6,y\n7,8,z,9\n10,11,w\n"


def header_only_csv_bytes() -> bytes:
    return b"age,income,gender\n"


def late_bad_utf8_csv_bytes(rows: int = 20_000) -> bytes:
    """A UTF-8 CSV whose row 15002 (the header is row 1) holds a Latin-1 byte, far past
    the first 64 KiB the upload sniffs."""
    lines = [b"age,city"] + [b"%d,Paris" % n for n in range(rows)]
    lines[15001] = b"7,Z\xfcrich"
    return b"\n".join(lines) + b"\n"


def empty_parquet_bytes() -> bytes:
    return parquet_bytes(good_table().slice(0, 0))


def nested_table(rows: int = 50) -> pa.Table:
    """Plain columns beside a struct and a list column."""
    return pa.table(
        {
            "age": pa.array([20 + n % 30 for n in range(rows)], pa.int64()),
            "meta": pa.array([{"source": "web", "score": n} for n in range(rows)]),
            "tags": pa.array([[n, n + 1] for n in range(rows)]),
        }
    )


def binary_garbage_bytes(size: int = 4096) -> bytes:
    garbage = bytearray(random.Random(7).randbytes(size))  # noqa: S311 (test data)
    garbage[10] = 0  # as any binary file of this size would have somewhere
    return bytes(garbage)


def good_table(rows: int = 3000) -> pa.Table:
    return pa.table(
        {
            "age": pa.array([20 + n % 50 for n in range(rows)], pa.int64()),
            "income": pa.array([1000.5 + n for n in range(rows)], pa.float64()),
            "gender": pa.array(["FM"[n % 2] for n in range(rows)]).dictionary_encode(),
            "approved": pa.array([n % 3 == 0 for n in range(rows)]),
            "comment": pa.array([f"row {n}" for n in range(rows)]),
        }
    )


def parquet_bytes(table: pa.Table | None = None, *, row_group_size: int = 1000) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(
        table if table is not None else good_table(), buffer, row_group_size=row_group_size
    )
    return buffer.getvalue()


def truncated_parquet_bytes() -> bytes:
    """A Parquet file cut in half, as an interrupted copy leaves it: no footer."""
    data = parquet_bytes()
    return data[: len(data) // 2]


def parquet_with_damaged_row_group_bytes(column: str = "age") -> bytes:
    """A Parquet file (3 row groups of 1000 rows) whose second row group's chunk of
    `column` is cut short: everything after its first bytes is zeros. The footer is whole,
    so only reading the data finds it."""
    data = bytearray(parquet_bytes())
    metadata = pq.ParquetFile(io.BytesIO(bytes(data))).metadata
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    chunk = metadata.row_group(1).column(names.index(column))
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data[start + 10 : start + chunk.total_compressed_size] = bytes(chunk.total_compressed_size - 10)
    return bytes(data)
