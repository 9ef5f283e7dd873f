"""Serving a stored report: its exact bytes, under a policy of its own.

A report carries its scripts and styles inline, which the app's Content-Security-Policy
forbids; the report's answer carries its own policy instead, one that lets nothing out
(no request to any host, no form, no frame of ours) and sandboxes the document, so a
report opened in the app's origin cannot reach the app's cookies or pages. django-csp's
middleware leaves an answer that already has a policy as it is. The share links call
this too."""

from pathlib import Path

from django.http import FileResponse, Http404

from apps.reports.models import Report, ReportStatus
from qualiti.stored_files import stored_file_response

REPORT_POLICY = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def stored_report_response(report: Report, fmt: str, *, inline: bool | None = None) -> FileResponse:
    """The stored HTML or PDF of a ready report, exactly as stored (its sha256 is the
    ETag). HTML opens in the browser; a PDF is an attachment unless `inline`. 404 for a
    report not ready or a format it has not."""
    if fmt not in FORMATS:
        raise Http404("Reports are served as html or pdf.")
    field_file = report.html if fmt == "html" else report.pdf
    if report.status != ReportStatus.READY or not field_file:
        raise Http404("This report is not ready.")
    as_attachment = fmt == "pdf" if inline is None else not inline
    response = stored_file_response(
        field_file,
        content_type=FORMATS[fmt],
        as_attachment=as_attachment,
        filename=Path(field_file.name or f"report.{fmt}").name,
    )
    sha256 = report.html_sha256 if fmt == "html" else report.pdf_sha256
    response["ETag"] = f'"{sha256}"'
    response["Content-Security-Policy"] = REPORT_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
