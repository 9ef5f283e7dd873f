"""An answer's evidence file at the edges: a body too large for one is refused before it
is read, and the file leaves only as an attachment, for the pages and the API alike
(each checks who may see it first)."""

from collections.abc import Mapping

from django.http import FileResponse
from django.template.defaultfilters import filesizeformat

from apps.criteria.models import Attestation
from apps.criteria.services_attestations import evidence_limit_bytes
from qualiti.errors import NotFound, TooLarge
from qualiti.stored_files import stored_file_response

# Room for the form's other fields around the evidence file.
FORM_SLACK_BYTES = 64 * 1024


def evidence_body_guard(meta: Mapping) -> None:
    """Refuse a body too large to carry an evidence file within the limit, from its
    Content-Length, before a byte of it is read (the service checks the file itself)."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = evidence_limit_bytes()
    if length > limit + FORM_SLACK_BYTES:
        raise TooLarge(
            f"The request is {filesizeformat(length)}; evidence files are limited to "
            f"{filesizeformat(limit)} (setting QUALITI_MAX_EVIDENCE_BYTES). Link to a large "
            "document instead.",
            field="evidence_file",
            extra={"limit_bytes": limit},
        )


def evidence_download(attestation: Attestation) -> FileResponse:
    """The evidence file as an attachment, never shown inline: its type is the uploader's
    word, so the browser is told neither to render nor to guess it."""
    if not attestation.evidence_file:
        raise NotFound("This answer carries no evidence file.")
    response = stored_file_response(
        attestation.evidence_file,
        content_type="application/octet-stream",
        as_attachment=True,
        filename=attestation.evidence_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
