"""The user's notices, their delivery preferences, and the unsubscribe link of e-mails.
Everything here is the user's own; another user's notice answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import Notification
from apps.accounts.services import notification_mark_all_read, notification_mark_read
from apps.notifications.email import unsubscribe_token_read
from apps.notifications.forms import PreferencesForm
from apps.notifications.kinds import KINDS, KINDS_BY_KEY, Delivery
from apps.notifications.services import delivery_for, preferences_set, unsubscribe
from apps.projects.views_pagination import page_with_links
from qualiti.errors import InvalidInput
from qualiti.http import AuthenticatedHttpRequest

NOTIFICATIONS_PER_PAGE = 25


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
    return render(request, "notifications/list.html", {"page": page, "kinds": KINDS})


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


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = {kind.key: delivery_for(user=request.user, kind=kind.key).value for kind in KINDS}
    form = PreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST":
        if form.is_valid():
            preferences_set(user=request.user, choices=form.cleaned_data)
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notification-preferences")
        status = 400
    else:
        status = 200
    context = {"form": form, "has_email": bool(request.user.email)}
    return render(request, "notifications/preferences.html", context, status=status)


@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """From the link in an e-mail, signed in or not. GET only asks (mail scanners fetch
    links), POST unsubscribes."""
    try:
        user, kind_key = unsubscribe_token_read(token)
    except InvalidInput as error:
        return render(
            request, "notifications/unsubscribe.html", {"error": error.message}, status=400
        )
    kind = KINDS_BY_KEY[kind_key]
    done = False
    if request.method == "POST":
        unsubscribe(user=user, kind=kind_key)
        done = True
    context: dict[str, object] = {
        "kind": kind,
        "username": user.username,
        "done": done,
        "already": not done and delivery_for(user=user, kind=kind_key) == Delivery.APP,
    }
    return render(request, "notifications/unsubscribe.html", context)
