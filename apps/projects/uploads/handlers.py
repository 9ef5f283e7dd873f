"""The request side of uploads: refuse oversized bodies before reading them, then stream.

Django and DRF parse a request body lazily, the first time `request.data` (or `POST`,
`FILES`) is touched. DRF's session authentication touches it during its CSRF check, so the
guard runs in the viewset's `initial()` *before* authentication: the Content-Length header
alone decides the 413, and the streaming handler is installed before any parser runs.
"""

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from rest_framework.request import Request

from qualiti.errors import QualitiError, TooLarge

if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    from rest_framework.views import APIView as _ViewBase
else:
    _ViewBase = object


class LengthRequired(QualitiError):
    """A body without a Content-Length cannot be judged before it is read (411)."""

    status_code = 411
    code = "length_required"


def upload_limit_bytes() -> int:
    return settings.QUALITI_MAX_UPLOAD_BYTES


def too_large(*, size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"The upload is {filesizeformat(size)} ({size} bytes); uploads are limited to "
        f"{filesizeformat(limit)} ({limit} bytes, setting QUALITI_MAX_UPLOAD_BYTES).",
        extra={"limit_bytes": limit},
    )


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Streams every uploaded file to a temporary file on disk, never to memory, computing
    its sha256 chunk by chunk, and stops the upload as soon as it passes the limit.

    The Content-Length guard already refuses big bodies; this is the second line, for a
    body whose length was not announced truthfully (or a server that does not enforce it).
    The finished file carries `sha256`, read by the services.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.hasher = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        # Counted over every file of the request, so two halves cannot pass as two files.
        self.received += len(raw_data)
        if self.received > self.limit:
            self.upload_interrupted()  # closes and removes the temporary file now
            raise too_large(size=self.received, limit=self.limit)
        self.hasher.update(raw_data)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> TemporaryUploadedFile:
        super().file_complete(file_size)  # sizes and rewinds self.file, which it returns
        uploaded = self.file
        # An attribute of our own on Django's file, read by the upload services.
        uploaded.sha256 = self.hasher.hexdigest()  # type: ignore[attr-defined]
        return uploaded


def _is_multipart(request: HttpRequest) -> bool:
    return request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")


def upload_request_guard(request: Request | HttpRequest) -> None:
    """Refuse a body over the limit from its Content-Length, before a byte of it is read,
    and install the streaming handler for the parse that comes later.

    Only multipart bodies may be large: any other body (JSON) is parsed in memory, so it
    gets Django's DATA_UPLOAD_MAX_MEMORY_SIZE instead.
    """
    django_request = request._request if isinstance(request, Request) else request
    meta = django_request.META
    raw_length = meta.get("CONTENT_LENGTH") or ""
    if not raw_length:
        if meta.get("HTTP_TRANSFER_ENCODING"):
            raise LengthRequired(
                "Send uploads with a Content-Length header: a chunked body cannot be "
                "checked against the size limit before it is read."
            )
        length = 0
    else:
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            raise LengthRequired("The Content-Length header is not a valid length.")

    limit = upload_limit_bytes()
    if not _is_multipart(django_request):
        limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limit)
    if length > limit:
        raise too_large(size=length, limit=limit)
    django_request.upload_handlers = [
        HashingUploadHandler(django_request, limit=upload_limit_bytes())
    ]


class UploadGuardMixin(_ViewBase):
    """For viewsets that accept uploads: the guard runs first, before authentication
    (DRF's CSRF check reads the body) and before any parser."""

    upload_methods = frozenset({"POST", "PUT", "PATCH"})

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method in self.upload_methods:
            upload_request_guard(request)
        super().initial(request, *args, **kwargs)
