"""A project's webhooks page, for its quality manager (or an admin): the endpoints, a form
to add one (its secret shown once, on the page that follows), and each one's delivery log
with a "Send again" button. Anyone else who sees the project is refused (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import Action, require_action
from apps.projects.models import Project
from apps.projects.selectors import project_visible_or_404
from apps.projects.views_pagination import page_with_links
from apps.webhooks import selectors, services
from apps.webhooks.forms import WebhookForm
from apps.webhooks.models import Webhook, WebhookDelivery
from qualiti.errors import QualitiError
from qualiti.forms import refusal_raise, service_error_add
from qualiti.http import AuthenticatedHttpRequest

DELIVERIES_PER_PAGE = 25


def _secret_key(webhook_pk: int) -> str:
    return f"webhook-secret-{webhook_pk}"


def _project_to_manage(request: AuthenticatedHttpRequest, slug: str) -> Project:
    """404 when the project is out of sight, 403 when the user may not manage webhooks;
    the services decide again."""
    project = project_visible_or_404(user=request.user, slug=slug)
    require_action(user=request.user, project_id=project.pk, action=Action.WEBHOOKS_MANAGE)
    return project


def _webhook(request: AuthenticatedHttpRequest, slug: str, pk: int) -> Webhook:
    project = _project_to_manage(request, slug)
    return get_object_or_404(Webhook.objects.select_related("project"), pk=pk, project=project)


def _render_list(
    request: AuthenticatedHttpRequest, project: Project, form: WebhookForm, status: int = 200
) -> HttpResponse:
    context = {
        "project": project,
        "tab": "overview",
        "webhooks": selectors.webhook_list(user=request.user, project=project),
        "form": form,
    }
    return render(request, "webhooks/webhooks.html", context, status=status)


@login_required
@require_GET
def webhooks(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _render_list(request, _project_to_manage(request, slug), WebhookForm())


@login_required
@require_POST
def webhook_create_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = _project_to_manage(request, slug)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _render_list(request, project, form, status=400)
    try:
        webhook = services.webhook_create(user=request.user, project=project, **form.cleaned_data)
    except QualitiError as error:
        service_error_add(form, error)
        return _render_list(request, project, form, status=error.status_code)
    # Shown once, on the next page: kept server-side in the session until then.
    request.session[_secret_key(webhook.pk)] = webhook.secret
    messages.success(request, f"Webhook to {webhook.url} added.")
    return redirect(reverse("webhook-detail", args=[project.slug, webhook.pk]))


@login_required
@require_GET
def webhook_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    webhook = _webhook(request, slug, pk)
    deliveries = page_with_links(
        request, selectors.delivery_list(webhook=webhook), per_page=DELIVERIES_PER_PAGE
    )
    context = {
        "project": webhook.project,
        "tab": "overview",
        "webhook": webhook,
        "secret": request.session.pop(_secret_key(webhook.pk), None),
        "deliveries": deliveries,
    }
    return render(request, "webhooks/webhook_detail.html", context)


@login_required
@require_POST
def webhook_active_view(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    webhook = _webhook(request, slug, pk)
    active = request.POST.get("active") == "on"
    services.webhook_update(webhook=webhook, user=request.user, active=active)
    messages.success(request, "Webhook turned on." if active else "Webhook turned off.")
    return redirect(reverse("webhook-detail", args=[slug, webhook.pk]))


@login_required
@require_POST
def webhook_delete_view(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    webhook = _webhook(request, slug, pk)
    services.webhook_delete(webhook=webhook, user=request.user)
    messages.success(request, f"Webhook to {webhook.url} deleted.")
    return redirect(reverse("webhook-list", args=[slug]))


@login_required
@require_POST
def delivery_redeliver_view(
    request: AuthenticatedHttpRequest, slug: str, pk: int, delivery_pk: int
) -> HttpResponse:
    webhook = _webhook(request, slug, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, webhook=webhook)
    try:
        services.delivery_redeliver(delivery=delivery, user=request.user)
    except QualitiError as error:
        refusal_raise(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"Delivery {delivery.pk} queued to be sent again.")
    return redirect(reverse("webhook-detail", args=[slug, webhook.pk]))
