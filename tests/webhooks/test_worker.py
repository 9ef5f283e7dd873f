"""The issue's test: a run finishes on a real Celery worker, and a real HTTP receiver on
127.0.0.1 gets a signed payload whose signature verifies; the receiver answers 500 twice and
the third try lands; the delivery log shows all three.

The worker is this test's own, on a queue of its own (as the reliability tests do), so it
runs with loopback allowed and a short back-off, and the session's shared worker (started
with the defaults) never takes these tasks.
"""

import itertools
import json
import time

import pytest

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.services import launch, run_create
from apps.evaluations.tasks import evaluation_run_task
from apps.webhooks.models import WebhookDelivery
from tests.evaluations.factories import LaunchSetup
from tests.projects.factories import client_for
from tests.support.worker import CeleryWorkerProcess
from tests.webhooks.receiver import Receiver, signature_ok

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUEUE = "webhooks-test"
BACK_OFF = 0.3  # seconds before the second try; 0.6 before the third


@pytest.fixture
def worker(transactional_db, monkeypatch, settings):
    settings.QUALITI_WEBHOOK_QUEUE = QUEUE
    settings.QUALITI_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(
        launch, "run_queue", lambda run_id: evaluation_run_task.apply_async((run_id,), queue=QUEUE)
    )
    process = CeleryWorkerProcess(
        name="webhooks",
        queues=[QUEUE],
        extra_env={
            "QUALITI_WEBHOOK_QUEUE": QUEUE,
            "QUALITI_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "QUALITI_WEBHOOK_RETRY_BASE_SECONDS": str(BACK_OFF),
        },
    ).start()
    yield process
    process.kill()  # idle by now: the test waited for its deliveries


def wait_until(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"not done after {timeout} s")


def test_a_finished_run_reaches_a_real_receiver_on_the_third_try(worker):
    setup = LaunchSetup()
    qm = client_for(setup.qm)
    with Receiver([500, 500, 200]) as receiver:
        created = qm.post(
            "/api/v1/webhooks/",
            {"project": setup.project.slug, "url": receiver.url(), "events": ["run.finished"]},
            format="json",
        )
        assert created.status_code == 201, created.json()
        webhook = created.json()
        receiver.secret = webhook["secret"]

        run = run_create(
            project=setup.project,
            user=setup.qm,
            test_plan=setup.plan,
            model_version=setup.model_version,
            dataset=setup.dataset,
        )
        received = receiver.wait_for(3, timeout=180)
        delivery = wait_until(
            lambda: WebhookDelivery.objects.filter(status="delivered").first(), timeout=30
        )

    run = EvaluationRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert len(received) == 3
    for request in received:
        assert request.signature_ok
        assert signature_ok(webhook["secret"], request.body, request.headers["x-qualiti-signature"])
        assert request.headers["x-qualiti-event"] == "run.finished"
    assert len({request.body for request in received}) == 1  # the same signed bytes each time
    payload = json.loads(received[0].body)
    assert payload["event"] == "run.finished" and payload["project"] == setup.project.slug
    assert payload["id"] == str(delivery.event_id) and payload["timestamp"]
    assert payload["data"]["id"] == run.pk
    assert payload["data"]["status"] == "succeeded"
    assert payload["data"]["verdict"] == run.verdict
    assert payload["data"]["url"].endswith(f"/projects/{setup.project.slug}/runs/{run.pk}/")

    log = qm.get(f"/api/v1/webhooks/{webhook['id']}/deliveries/").json()["results"]
    assert len(log) == 1
    assert (log[0]["status"], log[0]["attempts"]) == ("delivered", 3)
    tries = log[0]["attempt_log"]
    assert [(t["number"], t["response_status"], t["succeeded"]) for t in tries] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    started = [attempt.started_at for attempt in delivery.attempt_log.order_by("number")]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(started)]
    assert gaps[0] >= BACK_OFF * 0.9 and gaps[1] >= 2 * BACK_OFF * 0.9  # the back-off doubled
