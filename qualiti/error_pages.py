"""Pages for requests Django refuses before any view runs."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a styled page in place of Django's bare "403 Forbidden"."""
    return HttpResponse(render_to_string("403_csrf.html", request=request), status=403)
