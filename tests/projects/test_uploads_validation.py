"""The full read of a dataset (the `dataset_validate` service, run here in the test
process; test_uploads_worker.py runs it through a real worker)."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import ProjectRole
from apps.audit.models import StatusChange
from apps.projects.models import Dataset, ValidationStatus
from apps.projects.services import dataset_create, dataset_validate
from apps.projects.tasks import dataset_validate_task
from apps.projects.uploads import validation
from qualiti.errors import InvalidInput
from tests.factories import MembershipFactory
from tests.projects import files
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership():
    return MembershipFactory(role=ProjectRole.QUALITY_MANAGER)


def uploaded(membership, content: bytes, filename: str = "data.csv", **fields) -> Dataset:
    arguments = {"name": "data", "role": "evaluation", **fields}
    return dataset_create(
        project=membership.project,
        user=membership.user,
        uploaded_file=SimpleUploadedFile(filename, content),
        **arguments,
    )


def test_a_good_csv_becomes_valid_with_counts_and_schema(membership):
    dataset = uploaded(membership, files.good_csv_bytes(rows=200), target_column="approved")

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.VALID
    assert dataset.validation_error == ""
    assert dataset.row_count == 200
    assert dataset.column_count == 6
    assert dataset.schema == {
        "age": "integer",
        "income": "float",
        "gender": "string",
        "approved": "integer",
        "score": "float",
        "signup": "datetime",
    }
    assert dataset.validated_at is not None


def test_a_good_parquet_becomes_valid_with_its_logical_types(membership):
    dataset = uploaded(membership, files.parquet_bytes(), filename="data.parquet")

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.VALID
    assert dataset.row_count == 3000
    assert dataset.column_count == 5
    assert dataset.schema == {
        "age": "integer",
        "income": "float",
        "gender": "categorical",
        "approved": "boolean",
        "comment": "string",
    }


@pytest.mark.parametrize(
    "content", [files.header_only_csv_bytes(), b"age,income\n\n\n", files.empty_parquet_bytes()]
)
def test_a_file_with_a_header_but_no_rows_is_refused_at_upload(membership, content):
    with pytest.raises(InvalidInput, match="header but no rows"):
        uploaded(membership, content, target_column="age")
    assert not Dataset.objects.exists()


def test_the_full_read_also_judges_a_header_alone_invalid():
    report = validation.dataset_file_validate(
        file=io.BytesIO(files.header_only_csv_bytes()), file_format="csv", named={}, probability=[]
    )

    assert report.error == "The file has a header but no data rows."
    assert report.row_count == 0


def test_nested_columns_are_named_and_a_nested_target_is_invalid(membership):
    content = files.parquet_bytes(files.nested_table())

    plain = dataset_validate(
        dataset_id=uploaded(membership, content, "n.parquet", target_column="age").pk
    )
    nested_target = dataset_validate(
        dataset_id=uploaded(membership, content, "n.parquet", target_column="meta").pk
    )

    assert plain.validation_status == ValidationStatus.VALID
    assert plain.schema["meta"] == plain.schema["tags"] == "nested"
    assert plain.warnings == [
        "The columns 'meta', 'tags' hold nested values (structs, lists or maps); the checks "
        "will leave them out."
    ]
    assert nested_target.validation_status == ValidationStatus.INVALID
    assert "'meta' (named as target_column) holds nested values" in nested_target.validation_error


def test_a_nul_byte_far_into_a_csv_is_refused_as_one_near_its_start(membership):
    early = b"a,b\n1,\x00\n" + b"2,3\n" * 10
    late = b"a,b\n" + b"2,3\n" * 100_000 + b"1,\x00\n"

    for content, line in ((early, 2), (late, 100_002)):
        with pytest.raises(InvalidInput, match=rf"contains a NUL byte \(line {line}\)"):
            uploaded(membership, content)


def test_a_ragged_csv_is_invalid_naming_each_broken_row(membership):
    dataset = uploaded(membership, files.ragged_csv_bytes())

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.INVALID
    assert dataset.validation_error == (
        "2 broken rows; the first at row 3: expected 3 fields, found 2."
    )
    assert dataset.validation_problems == [
        {"row": 3, "column": None, "problem": "expected 3 fields, found 2"},
        {"row": 5, "column": None, "problem": "expected 3 fields, found 4"},
    ]
    assert dataset.row_count == 3  # the rows that could be read


def test_a_parquet_with_a_damaged_row_group_is_invalid_naming_rows_and_column(membership):
    content = files.parquet_with_damaged_row_group_bytes(column="age")
    dataset = uploaded(membership, content, filename="data.parquet")

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.INVALID
    [problem] = dataset.validation_problems
    assert problem["row"] == 1001
    assert problem["column"] == "age"
    assert problem["problem"].startswith("row group 2 (rows 1001 to 2000) cannot be read")
    assert dataset.validation_error.startswith(
        "1 unreadable column chunk; the first at row 1001, column 'age'"
    )


def test_text_that_is_not_utf8_further_down_is_invalid_with_row_and_column(membership):
    # Past the first 64 KiB, which the upload sniffs (and would refuse at once).
    good_rows = b"".join(b"%d,text\n" % n for n in range(10_000))
    dataset = uploaded(membership, b"a,b\n" + good_rows + b"3,caf\xe9\n")

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.INVALID
    assert dataset.validation_problems == [
        {
            "row": 10_002,
            "column": "b",
            "problem": "the value is not valid UTF-8 (save the file as UTF-8)",
        }
    ]


def test_a_column_is_typed_by_all_its_values_not_the_first_block(membership, monkeypatch):
    monkeypatch.setattr(validation, "CSV_BLOCK_BYTES", 64)  # many blocks
    rows = "".join(f"{n},{n}\n" for n in range(100)) + "oops,1.5\n"
    dataset = uploaded(membership, ("code,amount\n" + rows).encode())

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.VALID
    assert dataset.row_count == 101
    assert dataset.schema == {"code": "string", "amount": "float"}


def test_broken_rows_are_reported_up_to_a_cap_and_all_counted(membership):
    lines = ["a,b"] + ["1"] * 150 + ["1,2"]
    dataset = uploaded(membership, ("\n".join(lines) + "\n").encode())

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert len(dataset.validation_problems) == validation.MAX_PROBLEMS
    assert dataset.validation_error.startswith("150 broken rows; the first at row 2")
    assert dataset.validation_problems[-1]["row"] == 101


def test_a_probability_column_holding_text_is_invalid(membership):
    version = ModelVersionFactory(project=membership.project)
    dataset = uploaded(
        membership,
        b"y,pred,p\n1,1,0.9\n0,0,unknown\n",
        target_column="y",
        prediction_column="pred",
        probability_columns=["p"],
        model_version=version,
    )

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.INVALID
    assert "probability column 'p' holds string values" in dataset.validation_error


def test_a_missing_stored_file_makes_the_dataset_invalid(membership):
    dataset = uploaded(membership, files.good_csv_bytes())
    dataset.file.storage.delete(dataset.file.name)

    dataset = dataset_validate(dataset_id=dataset.pk)

    assert dataset.validation_status == ValidationStatus.INVALID
    assert dataset.validation_error == "The stored file is missing."


def test_each_status_change_is_recorded_once_even_when_validated_twice(membership):
    dataset = uploaded(membership, files.ragged_csv_bytes())

    dataset_validate(dataset_id=dataset.pk)
    dataset_validate(dataset_id=dataset.pk)

    changes = StatusChange.objects.filter(object_id=dataset.pk).order_by("id")
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("", "validating"),
        ("validating", "invalid"),
    ]
    assert changes[0].actor == membership.user
    assert changes[1].reason.startswith("2 broken rows")


def test_the_task_reports_the_outcome_and_shrugs_at_a_deleted_dataset(membership):
    dataset = uploaded(membership, files.good_csv_bytes())

    outcome = dataset_validate_task.apply(args=[dataset.pk]).get()
    Dataset.objects.filter(pk=dataset.pk).delete()
    after_deletion = dataset_validate_task.apply(args=[dataset.pk]).get()

    assert outcome == ValidationStatus.VALID
    assert after_deletion is None


def test_a_validation_that_fails_unexpectedly_does_not_leave_the_dataset_validating(
    membership, monkeypatch
):
    dataset = uploaded(membership, files.good_csv_bytes())

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("apps.projects.tasks.dataset_validate", broken)
    with pytest.raises(RuntimeError):
        dataset_validate_task.apply(args=[dataset.pk]).get()

    dataset.refresh_from_db()
    assert dataset.validation_status == ValidationStatus.INVALID
    assert "failed unexpectedly" in dataset.validation_error


class _SlowFile(io.BytesIO):
    """Reads that take a while, as from a busy disk, so pyarrow's read-ahead for the closed
    first pass is still reading when the second pass starts."""

    def read(self, size: int | None = -1) -> bytes:
        time.sleep(0.002)
        return super().read(size)


def test_the_two_passes_over_a_csv_keep_their_own_positions(monkeypatch):
    monkeypatch.setattr(validation, "CSV_BLOCK_BYTES", 64)
    rows = "".join(f"{n},{n / 2}\n" for n in range(100))

    report = validation.csv_validate(_SlowFile(("code,amount\n" + rows).encode()))

    assert (report.row_count, report.problem_total) == (100, 0)
    assert report.schema == {"code": "integer", "amount": "float"}
