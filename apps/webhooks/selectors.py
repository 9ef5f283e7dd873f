"""Reads of webhooks and their deliveries, for the pages and the API."""

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_actions, scope_to_visible_projects
from apps.projects.models import Project
from apps.webhooks.models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery


def webhook_list(*, user: User, project: Project | None = None) -> QuerySet[Webhook]:
    """Webhooks of the projects the user sees, with counts of failed and pending deliveries.
    (Who may manage them is asked by the caller: `webhooks_manageable_filter`.)"""
    queryset = scope_to_visible_projects(
        Webhook.objects.select_related("project", "created_by"), user=user
    )
    if project is not None:
        queryset = queryset.filter(project=project)
    return queryset.annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        pending_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
    )


def webhooks_manageable_filter(queryset: QuerySet[Webhook], *, user: User) -> QuerySet[Webhook]:
    """Only the webhooks of projects where the user may manage them."""
    if user.is_org_admin:
        return queryset
    project_ids = set(queryset.values_list("project_id", flat=True).distinct())
    allowed = [
        project_id
        for project_id in project_ids
        if Action.WEBHOOKS_MANAGE in project_actions(user=user, project_id=project_id)
    ]
    return queryset.filter(project_id__in=allowed)


def delivery_list(*, webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """A webhook's deliveries, newest first, each with its tries in order."""
    return (
        WebhookDelivery.objects.filter(webhook=webhook)
        .select_related("webhook")
        .prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")
    )
