"""The project's webhooks page: for its quality manager only; the secret shown once; the
delivery log with "Send again"."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from apps.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from apps.webhooks.tasks import webhook_deliver_task
from tests.webhooks.factories import WebhookFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(cast, name: str, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def test_the_quality_manager_adds_a_webhook_and_reads_its_secret_once(cast):
    client = client_of(cast.qm)
    page = client.get(url(cast, "webhook-list")).content.decode()
    assert "No webhook yet" in page and 'name="events"' in page

    response = client.post(
        url(cast, "webhook-create"),
        {
            "url": "https://hooks.example.com/qualiti",
            "events": ["finding.opened", "comment.created"],
            "format": "slack",
        },
    )

    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(cast, "webhook-detail", webhook.pk)
    assert (webhook.events, webhook.format, webhook.created_by) == (
        ["finding.opened", "comment.created"],
        "slack",
        cast.qm,
    )
    first = client.get(response["Location"]).content.decode()
    second = client.get(response["Location"]).content.decode()
    assert webhook.secret in first and "shown this once" in first
    assert webhook.secret not in second
    listing = client.get(url(cast, "webhook-list")).content.decode()
    assert "https://hooks.example.com/qualiti" in listing and webhook.secret not in listing


def test_a_refused_url_is_named_beside_its_field(cast):
    response = client_of(cast.qm).post(
        url(cast, "webhook-create"),
        {
            "url": "http://169.254.169.254/latest/meta-data/",
            "events": ["run.finished"],
            "format": "json",
        },
    )

    assert response.status_code == 400
    assert "169.254.169.254 is a link-local address" in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("role", ["dev", "viewer", "manager"])
def test_other_roles_are_refused_the_page_and_its_actions(cast, role):
    webhook = WebhookFactory(project=cast.project)
    client = client_of(getattr(cast, role))

    responses = [
        client.get(url(cast, "webhook-list")),
        client.get(url(cast, "webhook-detail", webhook.pk)),
        client.post(url(cast, "webhook-create"), {"url": "https://x.example", "events": []}),
        client.post(url(cast, "webhook-delete", webhook.pk)),
        client.post(url(cast, "webhook-active", webhook.pk)),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert "does not allow managing webhooks" in responses[0].content.decode()
    assert Webhook.objects.filter(pk=webhook.pk, active=True).exists()


def test_a_non_member_gets_404(cast):
    webhook = WebhookFactory(project=cast.project)
    client = client_of(cast.outsider)

    assert client.get(url(cast, "webhook-list")).status_code == 404
    assert client.get(url(cast, "webhook-detail", webhook.pk)).status_code == 404
    assert client.post(url(cast, "webhook-delete", webhook.pk)).status_code == 404


def test_the_delivery_log_shows_each_try_and_sends_again(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(webhook_deliver_task, "apply_async", lambda args, **kw: sent.append(args))
    webhook = WebhookFactory(project=cast.project)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="run.finished", event_id=uuid.uuid4(), payload="{}",
        status="failed", attempts=2, response_status=500,
    )  # fmt: skip
    for number in (1, 2):
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, started_at=f"2026-06-01T10:00:0{number}Z",
            response_status=500, error="HTTP 500.",
        )  # fmt: skip
    client = client_of(cast.qm)

    page = client.get(url(cast, "webhook-detail", webhook.pk)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(cast, "webhook-redeliver", webhook.pk, delivery.pk))

    assert "Attempt 1, 2026-06-01 10:00:01: HTTP 500" in page
    assert "Attempt 2, 2026-06-01 10:00:02: HTTP 500" in page
    assert "Send again" in page
    assert response.status_code == 302
    assert sent == [(delivery.pk,)]
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    after = client.get(response["Location"]).content.decode()
    assert f"Delivery {delivery.pk} queued to be sent again." in after
    refused = client.post(url(cast, "webhook-redeliver", webhook.pk, delivery.pk), follow=True)
    assert "still being sent" in refused.content.decode()


def test_turning_off_and_on_and_deleting(cast):
    webhook = WebhookFactory(project=cast.project, failing_since="2026-01-01T00:00:00Z")
    client = client_of(cast.qm)

    client.post(url(cast, "webhook-active", webhook.pk))
    webhook.refresh_from_db()
    assert not webhook.active
    client.post(url(cast, "webhook-active", webhook.pk), {"active": "on"})
    webhook.refresh_from_db()
    assert webhook.active and webhook.failing_since is None
    response = client.post(url(cast, "webhook-delete", webhook.pk))
    assert response["Location"] == url(cast, "webhook-list")
    assert not Webhook.objects.exists()


def test_the_members_page_links_to_the_webhooks_for_those_who_manage_them(cast):
    members = url(cast, "project-members")

    assert url(cast, "webhook-list") in client_of(cast.qm).get(members).content.decode()
    assert url(cast, "webhook-list") not in client_of(cast.dev).get(members).content.decode()
