"""Pages answer a service's refusal as Django answers its own: services decide permissions
(qualiti.errors.PermissionRefused, NotFound) and a page that lets one through shows the
403 or 404 page with its message, never a 500; a file store that does not answer is a 503
saying so. An address that takes only a form's POST, opened in the browser, answers a
styled 405 page rather than an empty body (the API's 405s keep their JSON)."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string

from qualiti.errors import NotFound, PermissionRefused
from qualiti.stored_files import StorageUnavailable


class ServiceRefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method == "GET":
            return _method_not_allowed_page(request, response)
        return response

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if isinstance(error, PermissionRefused):
            return response_for_exception(request, PermissionDenied(error.message))
        if isinstance(error, NotFound):
            return response_for_exception(request, Http404(error.message))
        if isinstance(error, StorageUnavailable):  # a file page while the store is down
            return HttpResponse(error.message, status=503, content_type="text/plain")
        return None


def _method_not_allowed_page(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    allowed = refused.headers.get("Allow", "POST")
    methods = [m.strip() for m in allowed.split(",") if m.strip() not in ("OPTIONS", "HEAD", "")]
    words = " or ".join(methods) or "another method"
    page = render_to_string("405.html", {"allowed": words}, request=request)
    response = HttpResponse(page, status=405)
    response.headers["Allow"] = allowed
    return response
