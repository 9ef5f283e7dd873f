"""Webhook deliveries from Celery: thin tasks that take ids and call the services.

Tries and retries are the delivery row's business (attempts, back-off, the lease), not
Celery's: a retry is a new message with a countdown, queued by the service on commit.
"""

from celery import shared_task
from django.conf import settings

from apps.webhooks import services

# The request's own limit is QUALITI_WEBHOOK_TIMEOUT_SECONDS; these only stop a stuck task.
_SOFT_LIMIT = int(settings.QUALITI_WEBHOOK_TIMEOUT_SECONDS) + 20


@shared_task(
    name="webhooks.deliver",
    acks_late=True,
    soft_time_limit=_SOFT_LIMIT,
    time_limit=_SOFT_LIMIT + 10,
    ignore_result=True,
)
def webhook_deliver_task(delivery_id: int) -> str:
    """Make the delivery's next try (if due, and not taken by another worker)."""
    return services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep", acks_late=True, time_limit=300)
def webhook_deliveries_sweep_task() -> int:
    """Periodic (Celery beat): queue again deliveries whose try is long overdue."""
    return services.deliveries_sweep()
