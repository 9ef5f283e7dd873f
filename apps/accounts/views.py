"""The signed-in user's own pages: in-app notifications and API tokens. Everything here is
the user's own; another user's notification or token answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from knox.models import AuthToken

from apps.accounts.forms import TokenCreateForm
from apps.accounts.models import Notification
from apps.accounts.services import (
    api_token_create,
    api_token_revoke,
    notification_mark_all_read,
    notification_mark_read,
)
from apps.projects.views_pagination import page_with_links
from qualiti.errors import NotFound
from qualiti.http import AuthenticatedHttpRequest

NOTIFICATIONS_PER_PAGE = 25
TOKENS_PER_PAGE = 50


def _safe_link(request: HttpRequest, link: str) -> str:
    """The notification's link if it stays on this site (services write paths), else ""."""
    allowed = url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return link if link and allowed else ""


def _back_to_notifications(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    suffix = f"?page={page}" if page.isdigit() else ""
    return redirect(reverse("notifications") + suffix)


@login_required
@require_GET
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user).select_related("project")
    page = page_with_links(request, mine, per_page=NOTIFICATIONS_PER_PAGE)
    for notification in page:
        notification.safe_link = _safe_link(request, notification.link)
    return render(request, "accounts/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notification_mark_read(notification=notification)
    messages.success(request, "Notification marked as read.")
    return _back_to_notifications(request)


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return _back_to_notifications(request)


def _tokens_render(
    request: AuthenticatedHttpRequest,
    *,
    new_token: str = "",
    form: TokenCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
    context = {
        "page": page_with_links(request, tokens, per_page=TOKENS_PER_PAGE),
        "new_token": new_token,
        "form": form or TokenCreateForm(),
    }
    response = render(request, "accounts/api_tokens.html", context, status=status)
    if new_token:
        add_never_cache_headers(response)  # the one answer that carries the secret
    return response


@login_required
@require_GET
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _tokens_render(request)


@login_required
@require_POST
def api_token_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new token is shown in this answer only (never stored in the session), so the
    page is rendered rather than redirected to."""
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _tokens_render(request, form=form, status=400)
    _, token = api_token_create(user=request.user, days=form.cleaned_data["days"])
    return _tokens_render(request, new_token=token, status=201)


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, token_key: str) -> HttpResponse:
    try:
        api_token_revoke(user=request.user, token_key=token_key)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, f"Token {token_key}… revoked; it no longer opens the API.")
    return redirect("api-tokens")
