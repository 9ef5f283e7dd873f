"""/api/v1/webhooks/: who may manage them, the secret shown once, the log and send again."""

import uuid

import pytest
from django.utils import timezone

from apps.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from tests.projects.factories import client_for
from tests.webhooks.factories import WebhookFactory

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"


def create_body(cast, **changes) -> dict:
    body = {
        "project": cast.project.slug,
        "url": "https://hooks.example.com/qualiti",
        "events": ["run.finished", "finding.opened"],
    }
    body.update(changes)
    return body


def test_the_quality_manager_creates_a_webhook_and_sees_its_secret_once(cast):
    qm = client_for(cast.qm)

    response = qm.post(WEBHOOKS, create_body(cast, format="slack"), format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    webhook = Webhook.objects.get()
    assert created["secret"] == webhook.secret and len(webhook.secret) >= 40
    assert created["project"] == cast.project.slug and created["format"] == "slack"
    assert created["events"] == ["run.finished", "finding.opened"]
    assert created["created_by"] == cast.qm.username
    assert "secret" not in qm.get(f"{WEBHOOKS}{webhook.pk}/").json()
    assert "secret" not in qm.get(WEBHOOKS).json()["results"][0]
    changed = qm.patch(f"{WEBHOOKS}{webhook.pk}/", {"events": ["comment.created"]}, format="json")
    assert changed.status_code == 200 and "secret" not in changed.json()


def test_an_admin_manages_any_projects_webhooks(cast):
    response = client_for(cast.admin).post(WEBHOOKS, create_body(cast), format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("role", ["dev", "viewer", "manager"])
def test_other_roles_are_refused_with_a_reason(cast, role):
    user = getattr(cast, role)
    webhook = WebhookFactory(project=cast.project)
    client = client_for(user)

    responses = [
        client.post(WEBHOOKS, create_body(cast), format="json"),
        client.get(f"{WEBHOOKS}{webhook.pk}/"),
        client.patch(f"{WEBHOOKS}{webhook.pk}/", {"active": False}, format="json"),
        client.delete(f"{WEBHOOKS}{webhook.pk}/"),
        client.get(f"{WEBHOOKS}{webhook.pk}/deliveries/"),
        client.get(WEBHOOKS, {"project": cast.project.slug}),
    ]

    assert [r.status_code for r in responses] == [403] * 6
    assert responses[0].json()["detail"] == (
        "Your role on this project does not allow managing webhooks."
    )
    assert client.get(WEBHOOKS).json()["count"] == 0
    assert Webhook.objects.filter(pk=webhook.pk, active=True).exists()


def test_a_non_member_gets_404_everywhere(cast):
    webhook = WebhookFactory(project=cast.project)
    client = client_for(cast.outsider)

    responses = [
        client.post(WEBHOOKS, create_body(cast), format="json"),
        client.post(WEBHOOKS, create_body(cast, project="no-such-project"), format="json"),
        client.get(f"{WEBHOOKS}{webhook.pk}/"),
        client.delete(f"{WEBHOOKS}{webhook.pk}/"),
        client.get(f"{WEBHOOKS}{webhook.pk}/deliveries/"),
        client.post(f"{WEBHOOKS}{webhook.pk}/deliveries/1/redeliver/"),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert client.get(WEBHOOKS, {"project": cast.project.slug}).json()["count"] == 0
    assert Webhook.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"url": "ftp://hooks.example.com/"}, "url", "Only http:// and https://"),
        ({"url": "https://"}, "url", "no host"),
        ({"url": "http://169.254.169.254/latest"}, "url", "a link-local address"),
        ({"url": "http://[::1]:8080/"}, "url", "a loopback address"),
        ({"events": []}, "events", ""),
        ({"events": ["finding.deleted"]}, "events", ""),
        ({"format": "xml"}, "format", ""),
    ],
)
def test_a_bad_webhook_is_refused_with_a_clear_400(cast, changes, field, words):
    response = client_for(cast.qm).post(WEBHOOKS, create_body(cast, **changes), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body.get("field") == field or field in body.get("errors", body)
    assert words in str(body)
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://10.20.3.4/hook", "http://receiver:8080/hook", "https://hooks.internal/q"]
)
def test_an_allowed_inner_address_or_any_name_can_be_given(cast, settings, url):
    settings.QUALITI_WEBHOOK_ALLOWED_HOSTS = ["10.20.0.0/16", "receiver"]

    response = client_for(cast.qm).post(WEBHOOKS, create_body(cast, url=url), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["url"] == url


def test_turning_a_disabled_webhook_back_on_clears_its_failure(cast):
    webhook = WebhookFactory(
        project=cast.project, active=False, disabled_reason="failed", failing_since=timezone.now()
    )

    response = client_for(cast.qm).patch(f"{WEBHOOKS}{webhook.pk}/", {"active": True})

    assert response.status_code == 200
    assert response.json()["active"] and response.json()["disabled_reason"] == ""
    webhook.refresh_from_db()
    assert webhook.failing_since is None


def test_the_delivery_log_lists_each_try_and_send_again_queues_one_more(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.webhooks.tasks import webhook_deliver_task

    sent = []
    monkeypatch.setattr(webhook_deliver_task, "apply_async", lambda args, **kw: sent.append(args))
    webhook = WebhookFactory(project=cast.project)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="run.finished", event_id="3b5c7cfb-2c1e-4a43-9f7b-0f7b4d1e0c11",
        payload='{"id":"x"}', status="failed", attempts=2, response_status=500,
    )  # fmt: skip
    for number, code in ((1, 500), (2, 500)):
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, started_at=f"2026-06-01T10:00:0{number}Z",
            response_status=code, error=f"HTTP {code}.",
        )  # fmt: skip
    qm = client_for(cast.qm)

    log = qm.get(f"{WEBHOOKS}{webhook.pk}/deliveries/").json()
    with django_capture_on_commit_callbacks(execute=True):
        again = qm.post(f"{WEBHOOKS}{webhook.pk}/deliveries/{delivery.pk}/redeliver/")
    twice = qm.post(f"{WEBHOOKS}{webhook.pk}/deliveries/{delivery.pk}/redeliver/")

    (listed,) = log["results"]
    assert listed["status"] == "failed" and listed["payload"] == '{"id":"x"}'
    assert [(a["number"], a["response_status"]) for a in listed["attempt_log"]] == [
        (1, 500),
        (2, 500),
    ]
    assert again.status_code == 202 and again.json()["status"] == "pending"
    assert sent == [(delivery.pk,)]
    assert twice.status_code == 400 and "still being sent" in twice.json()["detail"]
    other = WebhookFactory(project=cast.project)
    wrong = qm.post(f"{WEBHOOKS}{other.pk}/deliveries/{delivery.pk}/redeliver/")
    assert wrong.status_code == 404


def test_the_schema_documents_the_webhooks_endpoints(cast):
    schema = client_for(cast.qm).get("/api/schema/", {"format": "json"}).json()

    assert "/api/v1/webhooks/" in schema["paths"]
    assert "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver/" in schema["paths"]


def queries_for(client, url: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_lists_take_as_many_queries_for_many_rows_as_for_one(cast):
    qm = client_for(cast.qm)
    webhook = WebhookFactory(project=cast.project, created_by=cast.dev)

    def add_delivery() -> None:
        delivery = WebhookDelivery.objects.create(
            webhook=webhook, event="run.finished", event_id=uuid.uuid4(), payload="{}"
        )
        WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=timezone.now())

    add_delivery()
    queries_for(qm, WEBHOOKS)  # the user's project roles are cached on them after one call
    few = [queries_for(qm, WEBHOOKS), queries_for(qm, f"{WEBHOOKS}{webhook.pk}/deliveries/")]
    for _ in range(20):
        WebhookFactory(project=cast.project)
        add_delivery()
    many = [queries_for(qm, WEBHOOKS), queries_for(qm, f"{WEBHOOKS}{webhook.pk}/deliveries/")]

    assert [count for count, _ in few] == [count for count, _ in many]
    assert [rows for _, rows in many] == [21, 21]
