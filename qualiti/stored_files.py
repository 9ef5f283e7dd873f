"""Reading stored files (uploads, reports) through Django's storage, wherever it keeps them:
the local folder (the embedded default) or a bucket of an S3-compatible store.

Two ways out: a streamed answer for a permission-checked download (the object's body,
read as it arrives, never spooled whole), and a local copy for a worker, written into the
worker's own scratch folder (`QUALITI_WORK_DIR`) and checked against the size and sha256
recorded at upload, so a worker on another machine never evaluates other bytes than those
uploaded.
"""

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from qualiti.errors import NotFound, QualitiError

COPY_CHUNK_BYTES = 1024**2
# Django reads a FileResponse's file 4 KiB at a time; a bucket's body is better read in
# larger blocks (still only one block in memory per download).
DOWNLOAD_BLOCK_BYTES = 256 * 1024


class StorageUnavailable(QualitiError):
    """The file store did not answer (503): the object store is down or refuses us."""

    status_code = 503
    code = "storage_unavailable"


class StoredFileMismatch(QualitiError):
    """A stored file's bytes are not those recorded at upload (changed or truncated)."""

    code = "stored_file_mismatch"


def _storage_errors() -> tuple[type[BaseException], ...]:
    """The object store's client errors (botocore's), when django-storages' S3 is installed."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is pinned in requirements.txt
        return ()
    return (BotoCoreError, ClientError)


@contextlib.contextmanager
def storage_errors_raised(action: str) -> Iterator[None]:
    """Turns the object store's failures during `action` into StorageUnavailable (503)."""
    try:
        yield
    except _storage_errors() as error:
        raise StorageUnavailable(
            f"The file store could not {action} ({type(error).__name__}); try again "
            "later, or ask the operators to check the object store."
        ) from error


def is_local(field_file: FieldFile) -> bool:
    """Whether the file's storage is this machine's folder (FileSystemStorage)."""
    try:
        field_file.storage.path(field_file.name or "probe")
    except NotImplementedError:  # only a local storage has paths
        return False
    return True


def _opened(field_file: FieldFile) -> tuple[BinaryIO, int | None]:
    """The stored bytes from the start, and their length when the stream cannot tell it;
    FileNotFoundError when the file is missing. From a bucket, the object's body as it
    arrives (django-storages' own `open` would download the whole object first)."""
    if not field_file.name:
        raise FileNotFoundError("The field has no file.")
    opened = field_file.storage.open(field_file.name, "rb")
    s3_object = getattr(opened, "obj", None)  # django-storages' S3File
    if s3_object is None:
        return cast(BinaryIO, opened), None
    answer = s3_object.get()
    return cast(BinaryIO, answer["Body"]), int(answer["ContentLength"])


def stored_file_response(
    field_file: FieldFile, *, content_type: str, as_attachment: bool, filename: str = ""
) -> FileResponse:
    """A download of the stored bytes, for a view that has checked the permission: streamed
    from the folder or the bucket as they come, never held whole. A missing file answers
    404; an unreachable store, 503."""
    with storage_errors_raised("read the file"):
        try:
            stream, length = _opened(field_file)
        except FileNotFoundError as error:
            raise NotFound("This file is missing from the file store.") from error
    response = FileResponse(
        stream,
        as_attachment=as_attachment,
        filename=filename or Path(field_file.name or "download").name,
        content_type=content_type,
    )
    if length is not None:  # a bucket's stream cannot tell its length; the object can
        response["Content-Length"] = str(length)
    response.block_size = DOWNLOAD_BLOCK_BYTES  # read as the answer is sent, not before
    return response


def work_dir() -> Path:
    """This process's own scratch folder (QUALITI_WORK_DIR), readable by its user only."""
    folder = Path(settings.QUALITI_WORK_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def stored_file_local(
    field_file: FieldFile, *, size: int, sha256: str, prefix: str = "qualiti-file-"
) -> Iterator[Path]:
    """A path on this machine holding the stored file's bytes, for the engine.

    On the local storage, the file itself. From any other storage (a bucket), a copy
    streamed into a folder of its own under QUALITI_WORK_DIR, hashed on the way, removed
    when the block ends; a copy whose size or sha256 differ from the upload's raises
    StoredFileMismatch naming both. A missing file raises FileNotFoundError.
    """
    if not field_file.name:
        raise FileNotFoundError("The field has no file.")
    if is_local(field_file):
        yield Path(field_file.path)
        return
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=work_dir()))
    try:
        target = folder / Path(field_file.name).name
        hasher, copied = hashlib.sha256(), 0
        with storage_errors_raised("read the file"):
            source, _ = _opened(field_file)
            with contextlib.closing(source), target.open("wb") as copy:
                while chunk := source.read(COPY_CHUNK_BYTES):
                    hasher.update(chunk)
                    copy.write(chunk)
                    copied += len(chunk)
        digest = hasher.hexdigest()
        if (copied, digest) != (size, sha256):
            raise StoredFileMismatch(
                f"The stored file {Path(field_file.name).name!r} is not the one uploaded: "
                f"{copied} bytes with sha256 {digest}, where the upload recorded {size} bytes "
                f"with sha256 {sha256}. It was changed or damaged in the file store; upload "
                "it again."
            )
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)
