"""Writes of the projects app: model version and dataset uploads and their deletion (the
full read of a stored dataset is in .dataset_validation).

An upload is judged before anything is kept: size, type by content, the skops audit or the
dataset header. Only then is the file stored (moved from its temporary file, not copied
through memory) and the row created; a refusal after the file is stored removes it, so a
refused upload leaves neither a row nor a file behind.
"""

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from functools import partial
from typing import BinaryIO, cast

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.db.models.fields.files import FieldFile

from apps.accounts.models import User
from apps.accounts.permissions import Action, dataset_upload_action, project_action_check
from apps.audit.services import status_change_record
from apps.projects.models import (
    ArtifactFormat,
    Dataset,
    ModelVersion,
    Project,
    TaskType,
    ValidationStatus,
)
from apps.projects.services.hooks import (
    after_model_version_upload_actions,
)
from apps.projects.uploads.handlers import too_large, upload_limit_bytes
from apps.projects.uploads.headers import (
    dataset_columns_read,
    dataset_rows_check,
    named_columns_check,
)
from apps.projects.uploads.inspection import dataset_file_inspect, model_artifact_inspect
from qualiti.errors import InvalidInput
from qualiti.stored_files import (
    storage_errors_raised,
)


def _binary(file: File) -> BinaryIO:
    """The raw file object under Django's File wrappers, for zipfile and pyarrow."""
    inner: object = file
    while isinstance(inner, File):
        inner = inner.file
    return cast(BinaryIO, inner)


def _upload_checked(uploaded_file: File) -> tuple[int, str]:
    """Size (refused over the limit) and sha256 of an upload. The streaming upload handler
    has hashed it already; anything else (a page's file, a test's) is hashed by chunks."""
    size = uploaded_file.size
    limit = upload_limit_bytes()
    if size > limit:
        raise too_large(size=size, limit=limit)
    digest = getattr(uploaded_file, "sha256", None)
    if digest is None:
        hasher = hashlib.sha256()
        for chunk in uploaded_file.chunks():
            hasher.update(chunk)
        digest = hasher.hexdigest()
    uploaded_file.seek(0)
    return size, digest


@contextlib.contextmanager
def _stored(field_file: FieldFile, uploaded_file: File) -> Iterator[None]:
    """Store the upload through the field's storage (to a bucket: in parts, from the
    temporary file, never whole in memory); remove it again if the block fails."""
    with storage_errors_raised("store the upload"):
        field_file.save(uploaded_file.name or "upload", uploaded_file, save=False)
    try:
        yield
    except BaseException:
        if field_file.name:
            field_file.storage.delete(field_file.name)
        raise


def _string_list(values: Sequence[str], *, field: str) -> list[str]:
    values = list(values)
    if not all(isinstance(value, str) and value for value in values):
        raise InvalidInput("Every name in the list must be a non-empty string.", field=field)
    if len(set(values)) != len(values):
        raise InvalidInput("A name appears twice in the list.", field=field)
    return values


# --- model versions ---------------------------------------------------------------------


def model_version_create(
    *,
    project: Project,
    user: User,
    uploaded_file: File | None,
    label: str,
    task_type: str = "",
    features: Sequence[str] = (),
    notes: str = "",
) -> ModelVersion:
    """A new version of the project's model, numbered after the last one (1, 2, 3…).

    The artifact is judged by the engine's gate in a sandbox process (never loaded here):
    a sound skops archive of trusted types or an ONNX model of standard operators that
    answers one row; anything else is refused with the reason. The task is read from the
    model when not given; a given one that contradicts the model is kept, with a warning.
    So are the feature columns, when the model was fitted on named columns.
    No file makes a predictions-only version, which must say its task.
    """
    project_action_check(user=user, project_id=project.pk, action=Action.MODEL_UPLOAD)
    model_version = ModelVersion(
        project=project,
        label=label.strip(),
        task_type=task_type,
        features=_string_list(features, field="features"),
        notes=notes,
        uploaded_by=user,
        artifact_format=ArtifactFormat.NONE,
    )
    exclude = ["sequence", "artifact", "task_type"] + ([] if model_version.label else ["label"])
    model_version.full_clean(exclude=exclude)
    stored: contextlib.AbstractContextManager = contextlib.nullcontext()
    if uploaded_file is not None:
        model_version.size_bytes, model_version.sha256 = _upload_checked(uploaded_file)
        artifact_format, audit = model_artifact_inspect(uploaded_file)
        model_version.artifact_format = artifact_format
        model_version.artifact_audit = audit
        _task_from_model(model_version, audit)
        if not model_version.features and audit.get("feature_names"):
            # Fitted on a named frame: the model says its inputs itself.
            model_version.features = [str(name) for name in audit["feature_names"]]
        stored = _stored(model_version.artifact, uploaded_file)
    elif not task_type:
        raise InvalidInput(
            "A version without a model file needs its task_type (binary, multiclass or "
            "regression): there is no model to read it from.",
            field="task_type",
        )
    with stored:
        _model_version_number_and_save(model_version)
    for action in after_model_version_upload_actions():  # e.g. a run, when the project asks
        transaction.on_commit(partial(action, model_version.pk))
    return model_version


def _task_from_model(model_version: ModelVersion, audit: dict) -> None:
    """Take the task from the model when none was given; warn when the given one differs."""
    found, classes = audit.get("task"), audit.get("classes")
    declared = model_version.task_type
    if not declared:
        if not found:
            raise InvalidInput(
                "Qualiti could not tell from the model whether it is a binary or multiclass "
                "classifier or a regressor; give task_type.",
                field="task_type",
            )
        model_version.task_type = found
    elif found and found != declared:
        seen = f" ({len(classes)} classes: {', '.join(map(str, classes[:10]))})" if classes else ""
        model_version.warnings = [
            f"Declared as {TaskType(declared).label.lower()}, but the model is "
            f"{TaskType(found).label.lower()}{seen}; runs use the declared task."
        ]


def _model_version_number_and_save(model_version: ModelVersion) -> None:
    # The project row is locked while the next number is taken, so two uploads to one
    # project queue here (PostgreSQL: FOR UPDATE; SQLite: its IMMEDIATE transactions
    # already serialise writers). The unique constraint stays the last word.
    try:
        with transaction.atomic():
            Project.objects.select_for_update().only("id").get(pk=model_version.project_id)
            last = ModelVersion.objects.filter(project_id=model_version.project_id).aggregate(
                last=Max("sequence")
            )["last"]
            model_version.sequence = (last or 0) + 1
            if not model_version.label:
                model_version.label = f"v{model_version.sequence}"
            model_version.full_clean()
            model_version.save()
    except IntegrityError as error:
        raise InvalidInput(
            "Another version of this model was numbered at the same moment; upload again."
        ) from error


def model_version_delete(*, model_version: ModelVersion, actor: User | None) -> None:
    """Delete a version and its artifact; refused while evaluation runs refer to it."""
    project_action_check(
        user=actor, project_id=model_version.project_id, action=Action.MODEL_UPLOAD
    )
    name, storage = model_version.artifact.name, model_version.artifact.storage
    try:
        with transaction.atomic():
            model_version.delete()
    except ProtectedError as error:
        raise InvalidInput(
            f"Model version {model_version.sequence} is used by "
            f"{len(error.protected_objects)} evaluation run(s), so it is kept."
        ) from error
    if name:
        transaction.on_commit(partial(storage.delete, name))


# --- datasets ---------------------------------------------------------------------------


def dataset_create(
    *,
    project: Project,
    user: User,
    uploaded_file: File,
    name: str,
    role: str,
    target_column: str = "",
    sensitive_columns: Sequence[str] = (),
    prediction_column: str = "",
    probability_columns: Sequence[str] = (),
    model_version: ModelVersion | None = None,
) -> Dataset:
    """A dataset of the project, stored as "validating"; the full read is queued.

    The file must be CSV (UTF-8) or Parquet by content; the columns it names are checked
    against the header at once. A dataset with prediction columns names the model version
    that produced them.
    """
    project_action_check(user=user, project_id=project.pk, action=dataset_upload_action(role))
    dataset = Dataset(
        project=project,
        name=name.strip(),
        role=role,
        target_column=target_column,
        sensitive_columns=_string_list(sensitive_columns, field="sensitive_columns"),
        prediction_column=prediction_column,
        probability_columns=_string_list(probability_columns, field="probability_columns"),
        model_version=model_version,
        uploaded_by=user,
        validation_status=ValidationStatus.VALIDATING,
    )
    _dataset_roles_check(dataset)
    dataset.full_clean(exclude=["file", "file_format", "sha256"])

    dataset.size_bytes, dataset.sha256 = _upload_checked(uploaded_file)
    dataset.file_format = dataset_file_inspect(_binary(uploaded_file))
    dataset.columns = dataset_columns_read(
        file=_binary(uploaded_file), file_format=dataset.file_format
    )
    named_columns_check(columns=dataset.columns, named=dataset_named_columns(dataset))
    dataset_rows_check(file=_binary(uploaded_file), file_format=dataset.file_format)
    dataset.column_count = len(dataset.columns)

    with _stored(dataset.file, uploaded_file), transaction.atomic():
        dataset.full_clean()
        dataset.save()
        status_change_record(
            subject=dataset,
            project_id=project.pk,
            from_status="",
            to_status=ValidationStatus.VALIDATING,
            actor_id=user.pk,
            reason="Uploaded; the file is read in full in the background.",
        )
        transaction.on_commit(partial(_dataset_validation_queue, dataset.pk))
    return dataset


def dataset_named_columns(dataset: Dataset) -> dict[str, list[str]]:
    return {
        "target_column": [dataset.target_column],
        "sensitive_columns": dataset.sensitive_columns,
        "prediction_column": [dataset.prediction_column],
        "probability_columns": dataset.probability_columns,
    }


def _dataset_roles_check(dataset: Dataset) -> None:
    """The named columns play one part each; predictions are tied to a model version of
    the same project."""
    version = dataset.model_version
    if version is not None and version.project_id != dataset.project_id:
        raise InvalidInput("The model version belongs to another project.", field="model_version")
    if (dataset.prediction_column or dataset.probability_columns) and version is None:
        raise InvalidInput(
            "A dataset with prediction or probability columns names the model version "
            "that produced them.",
            field="model_version",
        )
    outcome = [dataset.target_column, dataset.prediction_column, *dataset.probability_columns]
    outcome = [name for name in outcome if name]
    if len(set(outcome)) != len(outcome):
        raise InvalidInput(
            "The target, prediction and probability columns must be different columns."
        )
    overlap = set(outcome) & set(dataset.sensitive_columns)
    if overlap:
        raise InvalidInput(
            f"{sorted(overlap)[0]!r} cannot be both a sensitive column and the target, "
            "prediction or a probability column.",
            field="sensitive_columns",
        )


def _dataset_validation_queue(dataset_id: int) -> None:
    from apps.projects.tasks import dataset_validate_task  # the task module imports us

    dataset_validate_task.delay(dataset_id)


def dataset_delete(*, dataset: Dataset, actor: User | None) -> None:
    """Delete a dataset and its file; refused while evaluation runs refer to it."""
    project_action_check(
        user=actor, project_id=dataset.project_id, action=dataset_upload_action(dataset.role)
    )
    name, storage = dataset.file.name, dataset.file.storage
    try:
        with transaction.atomic():
            dataset.delete()
    except ProtectedError as error:
        raise InvalidInput(
            f"The dataset {dataset.name!r} is used by {len(error.protected_objects)} "
            "evaluation run(s), so it is kept."
        ) from error
    if name:
        transaction.on_commit(partial(storage.delete, name))
