"""Webhooks: managed by a project's quality manager, fed by the event bus, sent by Celery.

A delivery row is the job. It is made in the transaction of the change it reports and
queued on commit. A worker claims a try with a conditional UPDATE of `next_attempt_at`
(a lease), so a duplicate message, or the sweeper's resend of a message that looked lost,
never sends the same try twice at once; the per-endpoint rate limit is the same trick on
the webhook's `next_send_at`.
"""

import ipaddress
import logging
import secrets
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.projects.models import Project
from apps.webhooks import payloads, safe_http
from apps.webhooks.models import (
    DeliveryStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from qualiti.errors import InvalidInput
from qualiti.events import Event

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # longer than a try can last (the request's time limit)
DUE_SLACK = timedelta(seconds=1)  # a countdown may fire a moment before the row's time
EXCERPT_CHARS = 500


# --- Managing webhooks -------------------------------------------------------------------


def _url_clean(url: str) -> str:
    url = url.strip()
    problem = safe_http.url_problem(url)
    if problem:
        raise InvalidInput(problem, field="url")
    host = urlsplit(url).hostname or ""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return url  # a name: its addresses are checked at every delivery
    allowed = safe_http.AllowedHosts.parse(settings.QUALITI_WEBHOOK_ALLOWED_HOSTS)
    kind = safe_http.address_refusal(literal)
    if kind and not allowed.allows_address(literal) and host not in allowed.names:
        raise InvalidInput(f"{host} is {kind}; webhooks may not reach it.", field="url")
    return url


def _events_clean(events: Iterable[str]) -> list[str]:
    events = list(dict.fromkeys(events))
    unknown = [name for name in events if name not in WebhookEvent.values]
    if unknown:
        raise InvalidInput(
            f"Unknown event {unknown[0]!r}; the events are {', '.join(WebhookEvent.values)}.",
            field="events",
        )
    if not events:
        raise InvalidInput("Choose at least one event.", field="events")
    return [name for name in WebhookEvent.values if name in events]


@transaction.atomic
def webhook_create(
    *, user: User | None, project: Project, url: str, events: Iterable[str], format: str = "json"
) -> Webhook:
    """A new endpoint with a fresh secret (the caller shows it once)."""
    project_action_check(user=user, project_id=project.pk, action=Action.WEBHOOKS_MANAGE)
    webhook = Webhook(
        project=project,
        url=_url_clean(url),
        events=_events_clean(events),
        format=format,
        secret=secrets.token_urlsafe(32),
        created_by=user,
    )
    webhook.full_clean()
    webhook.save()
    return webhook


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    user: User | None,
    url: str | None = None,
    events: Iterable[str] | None = None,
    format: str | None = None,
    active: bool | None = None,
) -> Webhook:
    """Change an endpoint; turning a disabled one back on gives it a clean slate."""
    project_action_check(user=user, project_id=webhook.project_id, action=Action.WEBHOOKS_MANAGE)
    if url is not None:
        webhook.url = _url_clean(url)
    if events is not None:
        webhook.events = _events_clean(events)
    if format is not None:
        webhook.format = format
    if active is not None:
        if active and not webhook.active:
            webhook.disabled_reason = ""
            webhook.failing_since = None
        webhook.active = active
    webhook.full_clean()
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, user: User | None) -> None:
    """Remove an endpoint and its delivery log; tries already queued find nothing to do."""
    project_action_check(user=user, project_id=webhook.project_id, action=Action.WEBHOOKS_MANAGE)
    webhook.delete()


# --- From an event to deliveries ---------------------------------------------------------


def deliveries_for_event(event: Event) -> None:
    """The event bus's subscriber: a delivery for each active webhook of the event's project
    that wants this event, written in the publisher's transaction, queued on its commit."""
    if event.name not in WebhookEvent.values:
        return
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(project_id=event.project.pk, active=True)
        if webhook.wants(event.name)
    ]
    if not webhooks:
        return
    data = payloads.event_data(event)
    event_id, now = uuid.uuid4(), timezone.now()
    for webhook in webhooks:
        delivery = WebhookDelivery.objects.create(
            webhook=webhook,
            event=event.name,
            event_id=event_id,
            payload=payloads.body_make(
                event_name=event.name,
                event_id=event_id,
                timestamp=now,
                project_slug=event.project.slug,
                data=data,
                format=webhook.format,
            ),
            attempt_limit=settings.QUALITI_WEBHOOK_MAX_ATTEMPTS,
            next_attempt_at=now,
        )
        delivery_queue(delivery_id=delivery.pk)


def delivery_queue(*, delivery_id: int, countdown: float = 0) -> None:
    """Send the delivery's next try to a worker once the current transaction commits."""
    from apps.webhooks.tasks import webhook_deliver_task  # the task calls this module

    transaction.on_commit(
        lambda: webhook_deliver_task.apply_async(
            (delivery_id,), countdown=max(countdown, 0), queue=settings.QUALITI_WEBHOOK_QUEUE
        )
    )


# --- One try -----------------------------------------------------------------------------


def retry_delay(attempt: int) -> float:
    """Seconds before the try after failed try number `attempt`: doubling, capped."""
    base = settings.QUALITI_WEBHOOK_RETRY_BASE_SECONDS
    return float(min(base * 2 ** (attempt - 1), settings.QUALITI_WEBHOOK_RETRY_MAX_SECONDS))


def delivery_attempt(*, delivery_id: int) -> str:
    """Make the delivery's next try if it is due and this worker wins it; say what happened.

    Harmless to call again: a delivery already sent, not yet due, or being tried by another
    worker is left alone.
    """
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("webhook__project", "webhook__created_by")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "nothing to send"
    webhook = delivery.webhook
    if not webhook.active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, error="The webhook is disabled."
        )
        return "webhook disabled"
    due = delivery.next_attempt_at
    if due is not None and due > now + DUE_SLACK:
        return "not due yet"

    wait = _send_slot_take(webhook=webhook, now=now)
    if wait > 0:
        delivery_queue(delivery_id=delivery.pk, countdown=wait)
        return "postponed by the rate limit"
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=due
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return "taken by another worker"

    started, clock = timezone.now(), time.monotonic()
    answer, failure = _send(delivery)
    duration_ms = int((time.monotonic() - clock) * 1000)
    return _attempt_record(
        delivery=delivery, started=started, duration_ms=duration_ms, answer=answer, error=failure
    )


def _send_slot_take(*, webhook: Webhook, now: datetime) -> float:
    """Take the endpoint's next sending slot: 0 when taken, else seconds until it is free."""
    interval = timedelta(seconds=1 / settings.QUALITI_WEBHOOK_PER_SECOND)
    taken = (
        Webhook.objects.filter(pk=webhook.pk)
        .filter(Q(next_send_at__isnull=True) | Q(next_send_at__lte=now))
        .update(next_send_at=now + interval)
    )
    if taken:
        return 0.0
    next_send_at = Webhook.objects.filter(pk=webhook.pk).values_list("next_send_at", flat=True)
    free_at = next_send_at.first() or now
    return max((free_at - now).total_seconds(), 0.01)


def _send(delivery: WebhookDelivery) -> tuple[safe_http.Answer | None, str]:
    body = delivery.payload.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Qualiti-Webhooks/1.0",
        "X-Qualiti-Event": delivery.event,
        "X-Qualiti-Delivery": str(delivery.pk),
        payloads.SIGNATURE_HEADER: payloads.signature(secret=delivery.webhook.secret, body=body),
        "Connection": "close",
    }
    try:
        answer = safe_http.post(
            delivery.webhook.url,
            body=body,
            headers=headers,
            allowed_hosts=settings.QUALITI_WEBHOOK_ALLOWED_HOSTS,
            timeout=settings.QUALITI_WEBHOOK_TIMEOUT_SECONDS,
            max_bytes=settings.QUALITI_WEBHOOK_MAX_RESPONSE_BYTES,
        )
    except (safe_http.RequestRefused, safe_http.RequestFailed) as error:
        return None, str(error)
    if 200 <= answer.status < 300:
        return answer, ""
    if 300 <= answer.status < 400:
        target = f" to {answer.location}" if answer.location else ""
        return answer, f"HTTP {answer.status}: redirect{target} not followed."
    return answer, f"HTTP {answer.status}."


@transaction.atomic
def _attempt_record(
    *,
    delivery: WebhookDelivery,
    started: datetime,
    duration_ms: int,
    answer: safe_http.Answer | None,
    error: str,
) -> str:
    now = timezone.now()
    number = delivery.attempts + 1
    status_code = answer.status if answer else None
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        duration_ms=duration_ms,
        response_status=status_code,
        response_excerpt=answer.body.decode("utf-8", "replace")[:EXCERPT_CHARS] if answer else "",
        error=error,
        succeeded=not error,
    )
    delivery.attempts = number
    delivery.response_status = status_code
    delivery.error = error
    webhooks = Webhook.objects.filter(pk=delivery.webhook_id)
    if not error:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DELIVERED, None
        delivery.save(update_fields=_DELIVERY_FIELDS)
        webhooks.exclude(failing_since=None).update(failing_since=None)
        return "delivered"

    webhooks.filter(failing_since=None).update(failing_since=now)
    if number < delivery.attempt_limit:
        delay = retry_delay(number)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery_queue(delivery_id=delivery.pk, countdown=delay)
        outcome = f"failed, try {number + 1} in {delay:g} s"
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        outcome = "failed"
    delivery.save(update_fields=_DELIVERY_FIELDS)
    _disable_if_failing_too_long(webhook_id=delivery.webhook_id, now=now)
    return outcome


_DELIVERY_FIELDS = [
    "attempts", "response_status", "error", "status", "next_attempt_at", "updated_at",
]  # fmt: skip


def _disable_if_failing_too_long(*, webhook_id: int, now: datetime) -> None:
    since = now - timedelta(hours=settings.QUALITI_WEBHOOK_DISABLE_AFTER_HOURS)
    hours = f"{settings.QUALITI_WEBHOOK_DISABLE_AFTER_HOURS:g}"
    reason = f"Every delivery failed for {hours} hours; disabled on {now:%Y-%m-%d %H:%M} UTC."
    disabled = Webhook.objects.filter(pk=webhook_id, active=True, failing_since__lte=since).update(
        active=False, disabled_reason=reason
    )
    if not disabled:
        return
    WebhookDelivery.objects.filter(webhook_id=webhook_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, error="The webhook was disabled."
    )
    webhook = Webhook.objects.select_related("project", "created_by").get(pk=webhook_id)
    logger.warning("webhook %s disabled: %s", webhook.pk, reason)
    _owner_tell(webhook, reason)


def _owner_tell(webhook: Webhook, reason: str) -> None:
    from apps.notifications.services import notify

    notify(
        recipients=[webhook.created_by],
        kind="webhook_disabled",
        project=webhook.project,
        message=f"Your webhook to {webhook.url} in {webhook.project.name} was disabled: {reason}",
        link=reverse("webhook-detail", args=[webhook.project.slug, webhook.pk]),
    )


# --- Send again, and the sweeper ---------------------------------------------------------


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, user: User | None) -> WebhookDelivery:
    """Send the same body (same id, same signature) again, as one more try."""
    webhook = delivery.webhook
    project_action_check(user=user, project_id=webhook.project_id, action=Action.WEBHOOKS_MANAGE)
    if not Webhook.objects.filter(pk=webhook.pk, active=True).exists():
        raise InvalidInput("The webhook is disabled; turn it back on before sending again.")
    resent = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.PENDING)
        .update(
            status=DeliveryStatus.PENDING,
            attempt_limit=F("attempts") + 1,
            next_attempt_at=timezone.now(),
        )
    )
    if not resent:
        raise InvalidInput("This delivery is still being sent; its tries are not over yet.")
    delivery_queue(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def deliveries_sweep(*, older_than_seconds: float | None = None) -> int:
    """Periodic: queue again the pending deliveries whose try is long overdue (a message
    lost with a killed worker, or a lease that a dead worker never gave back). The claim
    makes a message that was only late harmless."""
    grace = older_than_seconds
    if grace is None:
        grace = settings.QUALITI_WEBHOOK_SWEEP_GRACE_SECONDS
    overdue = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lt=timezone.now() - timedelta(seconds=grace),
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in overdue.iterator():
        delivery_queue(delivery_id=delivery_id)
        count += 1
    return count
