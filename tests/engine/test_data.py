import io
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from apps.evaluations.engine.data import column_kinds, read_table
from apps.evaluations.engine.errors import EngineError


def write(path, content: bytes):
    path.write_bytes(content)
    return path


def test_csv_types_are_inferred_and_strings_use_pandas_string_dtype(tmp_path):
    path = write(
        tmp_path / "data.csv",
        b"n,x,city,flag,day,code\n"
        b"1,1.5,Paris,true,2024-01-01,A1\n2,,Lyon,false,2024-01-02,B2\n"
        b"3,2.5,Paris,,2024-01-03,C3\n",
    )

    frame = read_table(path)

    assert frame["n"].dtype == np.int64
    assert np.isnan(frame["x"][1])
    assert pd.api.types.is_string_dtype(frame["city"].dtype)
    assert isinstance(frame["flag"].dtype, pd.BooleanDtype)
    assert pd.api.types.is_datetime64_any_dtype(frame["day"].dtype)
    kinds = column_kinds(frame)
    assert kinds["n"] == "numeric"
    assert kinds["city"] == "categorical"
    assert kinds["flag"] == "boolean"
    assert kinds["day"] == "datetime"


def test_parquet_categoricals_stay_categorical(tmp_path):
    table = pa.table({"city": pa.array(["a", "b", "a"]).dictionary_encode(), "v": [1, 2, 3]})
    pq.write_table(table, tmp_path / "data.parquet")

    frame = read_table(tmp_path / "data.parquet")

    assert isinstance(frame["city"].dtype, pd.CategoricalDtype)
    assert column_kinds(frame)["city"] == "categorical"


def test_a_parquet_file_written_by_pandas_reads_as_its_columns_not_pandas_saved_frame(tmp_path):
    saved = pd.DataFrame(
        {"customer": [10, 5, 7], "age": pd.array([30, None, 41], dtype="Int64"), "y": [1, 0, 1]}
    ).set_index("customer")
    saved.to_parquet(tmp_path / "data.parquet")

    frame = read_table(tmp_path / "data.parquet")

    # The saved index is a column, as the upload's schema lists it; numbers with gaps are
    # floats with NaN, as the models were trained on, not pandas' nullable Int64.
    assert list(frame.columns) == ["age", "y", "customer"]
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["customer"].tolist() == [10, 5, 7]
    assert frame["age"].dtype == np.float64


def test_identifiers_and_free_text_are_not_categories():
    frame = pd.DataFrame({"id": [f"row-{i}" for i in range(500)], "n": range(500)})

    assert column_kinds(frame)["id"] == "text"


def test_a_ragged_csv_is_refused_naming_the_row(tmp_path):
    path = write(tmp_path / "ragged.csv", b"a,b,c\n1,2,x\n3,4\n5,6,y\n")

    with pytest.raises(EngineError, match=r"ragged row.*2 fields where the header has 3.*'3,4'"):
        read_table(path, role="evaluation")


def test_a_truncated_parquet_is_refused(tmp_path):
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": list(range(1000))}), buffer)
    path = write(tmp_path / "cut.parquet", buffer.getvalue()[: len(buffer.getvalue()) // 2])

    with pytest.raises(EngineError, match=r"truncated"):
        read_table(path)


def test_a_pickled_frame_named_csv_is_refused(tmp_path):
    path = write(tmp_path / "data.csv", pickle.dumps(pd.DataFrame({"a": [1]}), protocol=5))

    with pytest.raises(EngineError, match=r"pickle.*CSV"):
        read_table(path)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "neither CSV"),
        (b"a,a\n1,2\n", "duplicate column names: a"),
    ],
)
def test_other_bad_files_are_refused(tmp_path, content, complaint):
    with pytest.raises(EngineError, match=complaint):
        read_table(write(tmp_path / "data.csv", content))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(EngineError, match=r"does not exist"):
        read_table(tmp_path / "nowhere.csv")


def test_empty_fields_of_a_csv_text_column_are_missing_as_in_parquet(tmp_path):
    frame = pd.DataFrame({"grade": ["A", None, "B", None], "n": [1, 2, 3, 4]})
    (tmp_path / "a.csv").write_text(frame.to_csv(index=False))
    pq.write_table(pa.Table.from_pandas(frame), tmp_path / "a.parquet")

    from_csv, from_parquet = read_table(tmp_path / "a.csv"), read_table(tmp_path / "a.parquet")

    assert from_csv["grade"].isna().tolist() == [False, True, False, True]
    assert from_csv["grade"].isna().tolist() == from_parquet["grade"].isna().tolist()


def test_nested_columns_are_left_out_of_every_check_of_the_default_plan(tmp_path):
    """Struct, list and map columns made 9 to 16 checks fail with "unhashable type"."""
    from apps.evaluations.engine.defaults import default_plan
    from apps.evaluations.engine.evaluation import evaluate
    from tests.engine.conftest import context_for
    from tests.engine.synthetic import datasets

    data = datasets(1, rows=600)
    frames = {}
    for role in ("evaluation", "reference", "train"):
        table = pa.Table.from_pandas(getattr(data, role), preserve_index=False)
        rows = table.num_rows
        table = table.append_column("meta", pa.array([{"a": n, "b": "x"} for n in range(rows)]))
        table = table.append_column("tags", pa.array([[n % 3, 1] for n in range(rows)]))
        table = table.append_column(
            "attributes",
            pa.array([[("k", n % 2)] for n in range(rows)], pa.map_(pa.string(), pa.int64())),
        )
        pq.write_table(table, tmp_path / f"{role}.parquet")
        frames[role] = read_table(tmp_path / f"{role}.parquet", role=role)
    assert frames["evaluation"].attrs["left_out"] == {
        "meta": "struct",
        "tags": "list",
        "attributes": "map",
    }
    data.evaluation, data.reference, data.train = (
        frames["evaluation"],
        frames["reference"],
        frames["train"],
    )
    context = context_for(data)

    report = evaluate(context, default_plan("binary"))

    assert [r.check for r in report.results if r.outcome == "error"] == []
    assert len(context.warnings) == 3  # one per dataset
    assert "'attributes' (map)" in context.warnings[0]


def test_a_nested_target_is_refused(tmp_path):
    from apps.evaluations.engine.context import EvaluationContext

    table = pa.table({"x": [1.0, 2.0], "y": pa.array([{"v": 1}, {"v": 0}])})
    pq.write_table(table, tmp_path / "data.parquet")

    with pytest.raises(EngineError, match="The target 'y' of the evaluation data holds nested"):
        EvaluationContext(evaluation=read_table(tmp_path / "data.parquet"), target="y")
