"""Request types for pages and API views behind a login, so the type checker knows
`request.user` is a Qualiti User (django-stubs types it as any user or an anonymous one)."""

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from apps.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page decorated with `login_required`."""

    user: User


def request_user(request: Request | HttpRequest) -> User:
    """The signed-in user of an API request (every endpoint requires one by default)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
