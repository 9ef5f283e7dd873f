"""From what a file is to what Qualiti does with it: a format and an audit, or a refusal
that says how to produce an acceptable file. The judgement is the engine's (the same gate
guards runs and the command line); here it meets the upload: settings, and the file as
the request handed it over.
"""

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File

from apps.evaluations.engine.audit import AuditLimits, model_file_audit
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.gate.archive import ArchiveLimits
from apps.evaluations.engine.sniff import table_file_kind
from apps.projects.models import DatasetFormat
from qualiti.errors import InvalidInput


def audit_limits() -> AuditLimits:
    """The audit's time, memory and archive caps, each overridable in settings."""
    return AuditLimits(
        seconds=settings.QUALITI_ARTIFACT_AUDIT_SECONDS,
        memory_mb=settings.QUALITI_ARTIFACT_AUDIT_MEMORY_MB,
        archive=ArchiveLimits(
            max_members=settings.QUALITI_SKOPS_MAX_MEMBERS,
            max_uncompressed_bytes=settings.QUALITI_SKOPS_MAX_UNCOMPRESSED_BYTES,
            max_compression_ratio=settings.QUALITI_SKOPS_MAX_COMPRESSION_RATIO,
            max_schema_bytes=settings.QUALITI_SKOPS_MAX_SCHEMA_BYTES,
        ),
    )


@contextlib.contextmanager
def local_path(uploaded_file: File) -> Iterator[Path]:
    """A path to the upload's bytes for the audit's child process: the temporary file the
    streaming handler wrote, or a copy of a file held in memory."""
    path = getattr(uploaded_file, "temporary_file_path", None)
    if path is not None:
        yield Path(path())
        return
    folder = Path(tempfile.mkdtemp(prefix="qualiti-upload-"))
    try:
        copy = folder / "upload"
        uploaded_file.seek(0)
        with copy.open("wb") as target:
            for chunk in uploaded_file.chunks():
                target.write(chunk)
        uploaded_file.seek(0)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def model_artifact_inspect(uploaded_file: File) -> tuple[str, dict]:
    """The artifact format ("skops" or "onnx") and the audit of a model upload, or an
    InvalidInput whose one sentence names the problem. The file is judged by the engine's
    gate in a sandbox process (never loaded here), with the operator's trusted types."""
    with local_path(uploaded_file) as path:
        try:
            audit = model_file_audit(
                path, trusted_types=settings.QUALITI_RUN_TRUSTED_TYPES, limits=audit_limits()
            )
        except EngineError as error:
            raise InvalidInput(error.message, field="artifact") from error
    return audit["format"], audit


def dataset_file_inspect(file: BinaryIO) -> str:
    """The format of a dataset file (CSV or Parquet), judged by content; refuses the rest
    with how to produce a CSV or Parquet file."""
    try:
        kind = table_file_kind(file)
    except EngineError as error:
        raise InvalidInput(error.message, field="file") from error
    return DatasetFormat.PARQUET if kind == "parquet" else DatasetFormat.CSV
