"""Runs survive what takes processes down (issue 6): a model that crashes its sandbox, a
worker killed mid-run, a run that kills its worker every time, and two workers racing for
ten runs. Real worker processes, on the embedded broker and on Redis.

These tests start their own workers, with a heartbeat stale after a few seconds, and route
their runs to a queue of their own (`reliability`), so the session's `celery_worker`, if
an earlier test started it, never takes their runs. The sweeper is called from the test
every half second, as beat would call it in production: on the embedded broker a killed
worker's message is gone, and requeueing by the sweeper is the only way back.
"""

import time
from collections.abc import Callable

import factory
import pytest
import skops.io
from django.db.models import Count

from apps.audit.models import StatusChange
from apps.evaluations.engine.registry import registered_checks
from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.evaluations.services import (
    launch,
    run_claim,
    run_create,
    run_execute,
    runs_sweep,
    sweeper,
)
from apps.evaluations.tasks import evaluation_run_task
from apps.findings.models import Finding
from apps.projects.models import ArtifactFormat
from tests.engine import sandbox_models
from tests.evaluations.factories import LaunchSetup
from tests.projects.factories import ModelVersionFactory
from tests.support import reliability_models
from tests.support.worker import CeleryWorkerProcess

QUEUE = "reliability"
STALE_SECONDS = 4
TRUSTED_TYPES = [
    "tests.engine.sandbox_models.SegfaultingModel",
    "tests.engine.sandbox_models.GreedyModel",
    "tests.support.reliability_models.SometimesSlowModel",
    "tests.support.reliability_models.WorkerKillingModel",
]
FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


def run_queue_on_own_queue(run_id: int) -> None:
    evaluation_run_task.apply_async((run_id,), queue=QUEUE)


@pytest.fixture
def workers(transactional_db, monkeypatch) -> Callable[..., CeleryWorkerProcess]:
    """Starts workers on the `reliability` queue (stopped after the test), and sends the
    runs launched or requeued by this test there."""
    monkeypatch.setattr(launch, "run_queue", run_queue_on_own_queue)
    monkeypatch.setattr(sweeper, "run_queue", run_queue_on_own_queue)
    started = []

    def start(name: str, *, concurrency: int = 1, **environment: str) -> CeleryWorkerProcess:
        worker = CeleryWorkerProcess(
            name=f"reliability-{name}",
            concurrency=concurrency,
            queues=[QUEUE],
            extra_env={
                "QUALITI_RUN_HEARTBEAT_STALE_SECONDS": str(STALE_SECONDS),
                "QUALITI_RUN_TRUSTED_TYPES": ",".join(TRUSTED_TYPES),
                **environment,
            },
        )
        started.append(worker)
        return worker.start()

    yield start
    # Killed rather than stopped: they are idle by now (the test waited for its runs),
    # and a warm shutdown takes seconds each and proves nothing here.
    for worker in started:
        worker.kill()


def skops_version(setup: LaunchSetup, model):
    return ModelVersionFactory(
        project=setup.project,
        artifact_format=ArtifactFormat.SKOPS,
        artifact=factory.django.FileField(filename="model.skops", data=skops.io.dumps(model)),
        features=["age", "income"],
    )


def launched(setup: LaunchSetup, model_version=None) -> EvaluationRun:
    return run_create(
        project=setup.project,
        user=setup.qm,
        test_plan=setup.plan,
        model_version=model_version or setup.model_version,
        dataset=setup.dataset,
    )


def wait_until(condition: Callable[[], bool], *, timeout: float = 60, sweep: bool = False):
    """Polls the condition; with `sweep`, runs the sweeper at each poll as beat would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sweep:
            runs_sweep(stale_after_seconds=STALE_SECONDS)
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not done after {timeout} s")


def finished(run: EvaluationRun, *, timeout: float = 60, sweep: bool = False) -> EvaluationRun:
    wait_until(lambda: refreshed(run).status in FINISHED, timeout=timeout, sweep=sweep)
    return refreshed(run)


def refreshed(run: EvaluationRun) -> EvaluationRun:
    return EvaluationRun.objects.get(pk=run.pk)


def attempts(run: EvaluationRun) -> int:
    """How many times a worker claimed the run (queued → running in its history)."""
    return StatusChange.objects.filter(run=run, from_status="queued", to_status="running").count()


@pytest.mark.parametrize(
    ("model", "error"),
    [
        (sandbox_models.SegfaultingModel(), "The model crashed while predicting"),
        (sandbox_models.GreedyModel(), "The model ran out of memory while predicting"),
    ],
    ids=["segfault", "memory"],
)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_model_that_crashes_fails_its_run_and_its_worker_carries_on(workers, model, error):
    worker = workers("crash")
    setup = LaunchSetup()

    run = finished(launched(setup, skops_version(setup, model)))

    assert run.status == RunStatus.FAILED
    assert error in run.error
    assert worker.ping()
    assert finished(launched(setup)).status == RunStatus.SUCCEEDED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_is_killed_is_requeued_and_finished_by_another_worker(workers):
    setup = LaunchSetup()
    doomed = workers("doomed", **{reliability_models.SLEEP_VARIABLE: "60"})
    run = launched(setup, skops_version(setup, reliability_models.SometimesSlowModel()))
    wait_until(lambda: refreshed(run).current_step == "predicting")

    doomed.kill()
    workers("rescuer")
    run = finished(run, sweep=True)

    assert (run.status, run.attempt, attempts(run)) == (RunStatus.SUCCEEDED, 2, 2)
    assert StatusChange.objects.filter(
        run=run, from_status="running", to_status="queued", reason__startswith="worker lost"
    ).exists()
    # The model predicts class 0 only: recall 0 fails the criterion, once.
    (result,) = CheckResult.objects.filter(run=run)
    assert result.outcome == "fail"
    (finding,) = Finding.objects.filter(project=setup.project)
    assert finding.first_seen_run_id == run.pk


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_that_kills_its_worker_every_time_fails_after_two_attempts(workers):
    worker = workers("victim")
    setup = LaunchSetup()

    run = launched(setup, skops_version(setup, reliability_models.WorkerKillingModel()))
    run = finished(run, sweep=True)

    assert (run.status, run.error) == (RunStatus.FAILED, "worker lost")
    assert (run.attempt, attempts(run)) == (2, 2)
    assert not CheckResult.objects.filter(run=run).exists()
    assert worker.ping()  # the worker replaced its killed pool process


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_finish_ten_runs_submitted_at_once_storing_each_result_once(workers):
    workers("first", concurrency=2)
    workers("second", concurrency=2)
    setup = LaunchSetup()

    runs = [launched(setup) for _ in range(10)]
    wait_until(
        lambda: EvaluationRun.objects.filter(status__in=FINISHED).count() == len(runs),
        timeout=90,
    )

    statuses = EvaluationRun.objects.values_list("status", "attempt")
    assert sorted(statuses) == [(RunStatus.SUCCEEDED, 1)] * 10
    assert [attempts(run) for run in runs] == [1] * 10
    per_run = EvaluationRun.objects.annotate(stored=Count("results")).values_list(
        "stored", flat=True
    )
    assert list(per_run) == [1] * 10


@pytest.mark.django_db
def test_a_check_that_raises_is_stored_as_an_error_and_the_run_still_succeeds(monkeypatch):
    # In this process: a worker cannot be given a check that raises without touching the
    # engine, and the path from a check's exception to the stored result is the same.
    monkeypatch.setattr(evaluation_run_task, "delay", lambda run_id: None)
    check = registered_checks()["performance.classification"]

    def explode(context, params):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(check, "run", explode)
    setup = LaunchSetup()

    run = run_execute(run=run_claim(run_id=launched(setup).pk))

    assert run.status == RunStatus.SUCCEEDED
    (result,) = CheckResult.objects.filter(run=run)
    assert result.outcome == "error"
    assert "ZeroDivisionError: division by zero" in result.message
    assert run.summary["error"] == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_whose_message_was_lost_is_sent_again_and_runs_once(workers, monkeypatch):
    workers("patient")
    setup = LaunchSetup()
    monkeypatch.setattr(launch, "run_queue", lambda run_id: None)  # the message is lost

    run = launched(setup)
    time.sleep(1.5)
    assert refreshed(run).status == RunStatus.QUEUED  # nobody heard of it

    assert sweeper.queued_runs_resend(older_than_seconds=1) == 1
    run = finished(run)

    assert (run.status, attempts(run)) == (RunStatus.SUCCEEDED, 1)
    assert sweeper.queued_runs_resend(older_than_seconds=1) == 0  # finished runs stay put
