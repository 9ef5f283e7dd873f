"""From an event to deliveries, and each try of a delivery against a real receiver."""

import json
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Notification
from apps.webhooks import services
from apps.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from apps.webhooks.tasks import webhook_deliver_task
from qualiti.errors import InvalidInput
from qualiti.events import Event, event_publish
from tests.webhooks.factories import WebhookFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def published(name: str, project, subject, **data) -> None:
    with transaction.atomic():
        event_publish(Event(name, project, subject, data=data))


def test_an_event_makes_one_delivery_per_active_webhook_that_wants_it(cast, quick, queued):
    wanting = WebhookFactory(project=cast.project, events=["finding.opened"])
    WebhookFactory(project=cast.project, events=["run.finished"])
    WebhookFactory(project=cast.project, events=["finding.opened"], active=False)
    WebhookFactory(events=["finding.opened"])  # another project's
    finding = cast.finding(title="Recall below threshold")

    published("finding.opened", cast.project, finding, reopened=True)

    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == wanting and delivery.status == DeliveryStatus.PENDING
    assert queued == [(delivery.pk, 0)]
    body = json.loads(delivery.payload)
    assert set(body) == {"id", "event", "timestamp", "project", "data"}
    assert body["id"] == str(delivery.event_id) and body["event"] == "finding.opened"
    assert body["project"] == cast.project.slug
    assert body["data"] == {
        "id": finding.pk,
        "title": "Recall below threshold",
        "status": "open",
        "severity": "high",
        "url": f"https://qualiti.example.com/findings/{finding.pk}/",
        "reopened": True,
    }


def test_events_beyond_the_five_are_not_sent(cast, quick, queued):
    WebhookFactory(project=cast.project)

    published("action.taken", cast.project, cast.finding(), owner_id=cast.dev.pk)

    assert not WebhookDelivery.objects.exists() and queued == []


def test_each_subject_is_described_with_a_link(cast, quick, queued):
    from tests.evaluations.factories import EvaluationRunFactory

    WebhookFactory(project=cast.project)
    finding = cast.finding()
    run = EvaluationRunFactory(project=cast.project, status="succeeded", verdict="fail")
    comment = finding.comments.create(author=cast.dev, body="Retrained on @qm's data.")

    published("run.finished", cast.project, run, status="succeeded", verdict="fail")
    published("finding.status_changed", cast.project, finding, **{"from": "open", "to": "x"})
    published("finding.assigned", cast.project, finding, assignee_id=cast.dev.pk)
    published("comment.created", cast.project, comment)

    data = {d.event: json.loads(d.payload)["data"] for d in WebhookDelivery.objects.order_by("pk")}
    base = "https://qualiti.example.com"
    assert data["run.finished"] == {
        "id": run.pk,
        "status": "succeeded",
        "verdict": "fail",
        "url": f"{base}/projects/{cast.project.slug}/runs/{run.pk}/",
    }
    assert data["finding.status_changed"]["from"] == "open"
    assert data["finding.assigned"]["assignee"] == cast.dev.username
    assert data["comment.created"] == {
        "id": comment.pk,
        "finding_id": finding.pk,
        "author": cast.dev.username,
        "body": "Retrained on @qm's data.",
        "url": f"{base}/findings/{finding.pk}/#comment-{comment.pk}",
    }


def test_the_try_is_queued_only_when_the_change_commits(
    cast, quick, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        webhook_deliver_task, "apply_async", lambda args, **options: sent.append((args, options))
    )
    WebhookFactory(project=cast.project)
    finding = cast.finding()

    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish(Event("finding.opened", cast.project, finding))
        raise RuntimeError("the change fails")
    assert not WebhookDelivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        published("finding.opened", cast.project, finding)

    delivery = WebhookDelivery.objects.get()
    assert sent == [((delivery.pk,), {"countdown": 0, "queue": "default"})]


def delivery_for(receiver: Receiver, cast, **webhook_fields) -> WebhookDelivery:
    webhook = WebhookFactory(
        project=cast.project, url=receiver.url(), created_by=cast.qm, **webhook_fields
    )
    receiver.secret = webhook.secret
    published("finding.opened", cast.project, cast.finding())
    return WebhookDelivery.objects.get(webhook=webhook)


def test_a_failing_receiver_gets_tries_with_back_off_until_one_lands(cast, quick, queued):
    quick.QUALITI_WEBHOOK_RETRY_BASE_SECONDS = 0.001
    with Receiver([500, 500, 200]) as receiver:
        delivery = delivery_for(receiver, cast)
        outcomes = [services.delivery_attempt(delivery_id=delivery.pk) for _ in range(3)]
        time_after_last = timezone.now()

    assert outcomes == ["failed, try 2 in 0.001 s", "failed, try 3 in 0.002 s", "delivered"]
    assert [countdown for _, countdown in queued] == [0, 0.001, 0.002]
    assert [r.signature_ok for r in receiver.received] == [True, True, True]
    assert len({r.body for r in receiver.received}) == 1  # the same bytes each time
    assert receiver.received[0].headers["x-qualiti-event"] == "finding.opened"
    assert receiver.received[0].headers["x-qualiti-delivery"] == str(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 200)
    log = list(delivery.attempt_log.order_by("number"))
    assert [(a.number, a.response_status, a.succeeded) for a in log] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    assert log[0].error == "HTTP 500." and log[2].response_excerpt == "ok"
    assert all(a.started_at <= time_after_last for a in log)
    assert Webhook.objects.get().failing_since is None  # the success cleared it


def test_the_back_off_doubles_up_to_its_cap(settings):
    settings.QUALITI_WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.QUALITI_WEBHOOK_RETRY_MAX_SECONDS = 3600

    assert [services.retry_delay(n) for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


def test_tries_stop_at_the_limit(cast, quick, queued):
    quick.QUALITI_WEBHOOK_MAX_ATTEMPTS = 2
    with Receiver([503]) as receiver:
        delivery = delivery_for(receiver, cast)
        outcomes = [services.delivery_attempt(delivery_id=delivery.pk) for _ in range(3)]

    assert outcomes == ["failed, try 2 in 0 s", "failed", "nothing to send"]
    assert len(receiver.received) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 2, "HTTP 503.")
    assert Webhook.objects.get().failing_since is not None


def test_a_refused_address_is_a_failed_try_with_the_reason(cast, quick, queued):
    quick.QUALITI_WEBHOOK_ALLOWED_HOSTS = []
    with Receiver() as receiver:
        delivery = delivery_for(receiver, cast)
        services.delivery_attempt(delivery_id=delivery.pk)

    assert receiver.received == []
    attempt = delivery.attempt_log.get()
    assert attempt.response_status is None
    assert "127.0.0.1, a loopback address" in attempt.error


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owner_told(cast, quick, queued):
    with Receiver([500]) as receiver:
        delivery = delivery_for(receiver, cast)
        other = WebhookDelivery.objects.create(
            webhook=delivery.webhook, event="run.finished", event_id=delivery.event_id,
            payload="{}", next_attempt_at=timezone.now() + timedelta(hours=1),
        )  # fmt: skip
        Webhook.objects.update(failing_since=timezone.now() - timedelta(hours=23))
        services.delivery_attempt(delivery_id=delivery.pk)
        assert Webhook.objects.get().active  # 23 hours: not yet

        Webhook.objects.update(failing_since=timezone.now() - timedelta(hours=25))
        services.delivery_attempt(delivery_id=delivery.pk)

    webhook = Webhook.objects.get()
    assert not webhook.active
    assert "failed for 24 hours" in webhook.disabled_reason
    other.refresh_from_db()
    assert other.status == "failed" and other.error == "The webhook was disabled."
    notice = Notification.objects.get(kind="webhook_disabled")
    assert notice.user == cast.qm and notice.project == cast.project
    assert receiver.url() in notice.message
    assert notice.link == f"/projects/{cast.project.slug}/webhooks/{webhook.pk}/"
    assert services.delivery_attempt(delivery_id=delivery.pk) == "nothing to send"


def test_the_rate_limit_spaces_tries_to_one_endpoint(cast, quick, queued):
    quick.QUALITI_WEBHOOK_PER_SECOND = 2
    with Receiver() as receiver:
        first = delivery_for(receiver, cast)
        published("finding.opened", cast.project, cast.finding())
        second = WebhookDelivery.objects.exclude(pk=first.pk).get()
        queued.clear()

        assert services.delivery_attempt(delivery_id=first.pk) == "delivered"
        assert services.delivery_attempt(delivery_id=second.pk) == "postponed by the rate limit"

    assert len(receiver.received) == 1
    ((delivery_id, countdown),) = queued
    assert delivery_id == second.pk and 0 < countdown <= 0.5


def test_a_try_claimed_by_another_worker_is_not_sent_twice(cast, quick, queued):
    with Receiver() as receiver:
        delivery = delivery_for(receiver, cast)
        lease = timezone.now() + services.LEASE
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=lease)

        assert services.delivery_attempt(delivery_id=delivery.pk) == "not due yet"

    assert receiver.received == []


def test_send_again_repeats_the_same_signed_body_as_one_more_try(cast, quick, queued):
    with Receiver([200]) as receiver:
        delivery = delivery_for(receiver, cast)
        pending = WebhookDelivery.objects.create(
            webhook=delivery.webhook, event="run.finished", event_id=delivery.event_id,
            payload="{}", next_attempt_at=timezone.now() + timedelta(hours=1),
        )  # fmt: skip
        services.delivery_attempt(delivery_id=delivery.pk)
        with pytest.raises(InvalidInput, match="still being sent"):
            services.delivery_redeliver(delivery=pending, user=cast.qm)

        again = services.delivery_redeliver(delivery=delivery, user=cast.qm)
        assert again.status == "pending"
        assert services.delivery_attempt(delivery_id=delivery.pk) == "delivered"

    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["x-qualiti-signature"] == second.headers["x-qualiti-signature"]
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.attempt_log.count() == 2


def test_send_again_is_refused_on_a_disabled_webhook(cast, quick, queued):
    with Receiver([500]) as receiver:
        quick.QUALITI_WEBHOOK_MAX_ATTEMPTS = 1
        delivery = delivery_for(receiver, cast)
        services.delivery_attempt(delivery_id=delivery.pk)
    Webhook.objects.update(active=False)

    with pytest.raises(InvalidInput, match="disabled"):
        services.delivery_redeliver(delivery=delivery, user=cast.qm)


def test_the_sweeper_queues_tries_long_overdue(cast, quick, queued):
    webhook = WebhookFactory(project=cast.project)
    late = timezone.now() - timedelta(minutes=10)
    overdue = WebhookDelivery.objects.create(
        webhook=webhook, event="run.finished", event_id=uuid.uuid4(), payload="{}",
        next_attempt_at=late,
    )  # fmt: skip
    WebhookDelivery.objects.create(
        webhook=webhook, event="run.finished", event_id=uuid.uuid4(), payload="{}",
        next_attempt_at=timezone.now(),
    )  # fmt: skip

    assert services.deliveries_sweep(older_than_seconds=300) == 1
    assert queued == [(overdue.pk, 0)]


def test_beat_runs_the_sweeper(settings):
    from apps.webhooks.tasks import webhook_deliveries_sweep_task

    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-webhook-deliveries"]

    assert schedule["task"] == webhook_deliveries_sweep_task.name
