"""The full read of a stored dataset, in a worker after its upload: it becomes "valid" or
"invalid" with the reason and the broken rows, and never stays "validating"."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.audit.services import status_change_record
from apps.projects.models import Dataset, ValidationStatus
from apps.projects.services.hooks import after_dataset_validated_actions
from apps.projects.services.uploads import dataset_named_columns
from apps.projects.uploads.validation import dataset_file_validate
from qualiti.stored_files import StorageUnavailable, StoredFileMismatch, stored_file_local


def dataset_validate(*, dataset_id: int) -> Dataset:
    """Read the dataset's file in full (pyarrow) and mark it "valid" or "invalid" with the
    reason and the broken rows. Only a "validating" dataset changes, so a repeated call
    does nothing; a dataset deleted meanwhile raises Dataset.DoesNotExist."""
    dataset = Dataset.objects.get(pk=dataset_id)
    if dataset.validation_status != ValidationStatus.VALIDATING:
        return dataset
    problem = ""
    try:
        # From a bucket: a copy in this worker's folder, its size and sha256 checked.
        stored = stored_file_local(dataset.file, size=dataset.size_bytes, sha256=dataset.sha256)
        with stored as path, path.open("rb") as stored_file:
            report = dataset_file_validate(
                file=stored_file,
                file_format=dataset.file_format,
                named=dataset_named_columns(dataset),
                probability=dataset.probability_columns,
            )
    except FileNotFoundError:
        report, problem = None, "The stored file is missing."
    except (StoredFileMismatch, StorageUnavailable) as error:
        report, problem = None, error.message
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
        if dataset.validation_status != ValidationStatus.VALIDATING:
            return dataset
        if report is None:
            dataset.validation_status = ValidationStatus.INVALID
            dataset.validation_error = problem
        else:
            dataset.validation_status = (
                ValidationStatus.VALID if report.valid else ValidationStatus.INVALID
            )
            dataset.validation_error = report.error
            dataset.validation_problems = report.problems
            dataset.warnings = report.warnings
            dataset.row_count = report.row_count
            if report.columns:
                dataset.columns = report.columns
                dataset.column_count = len(report.columns)
            dataset.schema = report.schema
        dataset.validated_at = timezone.now()
        dataset.full_clean()
        dataset.save()
        status_change_record(
            subject=dataset,
            project_id=dataset.project_id,
            from_status=ValidationStatus.VALIDATING,
            to_status=dataset.validation_status,
            actor_id=None,
            reason=dataset.validation_error,
        )
        for action in after_dataset_validated_actions():  # e.g. a monitoring run
            transaction.on_commit(partial(action, dataset.pk))
    return dataset


def dataset_validation_abandon(*, dataset_id: int, reason: str) -> None:
    """Mark a dataset whose validation could not finish (e.g. over its time limit) as
    "invalid" with the reason, so it never stays "validating"."""
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(pk=dataset_id).first()
        if dataset is None or dataset.validation_status != ValidationStatus.VALIDATING:
            return
        dataset.validation_status = ValidationStatus.INVALID
        dataset.validation_error = reason
        dataset.validated_at = timezone.now()
        dataset.save(update_fields=["validation_status", "validation_error", "validated_at"])
        status_change_record(
            subject=dataset,
            project_id=dataset.project_id,
            from_status=ValidationStatus.VALIDATING,
            to_status=ValidationStatus.INVALID,
            actor_id=None,
            reason=reason,
        )
