"""No model process outlives its run, whatever ends it: a refused model, an exception, the
soft time limit, or a cancel (runs executed in this process, models in real sandboxes)."""

import os
import signal
import threading
import time

import factory
import pytest
import skops.io
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection

from apps.evaluations.models import EvaluationRun
from apps.evaluations.services import execution, run_claim, run_execute
from apps.projects.models import ArtifactFormat
from tests.engine import sandbox_models
from tests.evaluations.factories import LaunchSetup
from tests.projects.factories import ModelVersionFactory
from tests.support.processes import model_processes

SLOW = "tests.engine.sandbox_models.SlowModel"


@pytest.fixture
def setup(monkeypatch, settings):
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)
    settings.QUALITI_RUN_TRUSTED_TYPES = [SLOW]
    return LaunchSetup()


def claimed_run(setup: LaunchSetup, model) -> EvaluationRun:
    version = ModelVersionFactory(
        project=setup.project,
        artifact_format=ArtifactFormat.SKOPS,
        artifact=factory.django.FileField(filename="model.skops", data=skops.io.dumps(model)),
        features=["age", "income"],
    )
    run = EvaluationRun.objects.create(
        project=setup.project,
        test_plan=setup.plan,
        model_version=version,
        dataset=setup.dataset,
    )
    return run_claim(run_id=run.pk)


@pytest.mark.django_db
def test_ten_runs_of_a_refused_model_leave_no_model_process(setup):
    for _ in range(10):
        run = run_execute(run=claimed_run(setup, sandbox_models.GreedyModel()))  # untrusted
        assert run.status == "failed" and "does not trust" in run.error
    assert model_processes(os.getpid()) == []


@pytest.mark.django_db
def test_an_exception_after_the_model_loaded_leaves_no_model_process(setup, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(execution.engine, "EvaluationContext", broken)
    run = run_execute(run=claimed_run(setup, sandbox_models.SlowModel()))

    assert run.status == "failed" and "RuntimeError" in run.error
    assert model_processes(os.getpid()) == []


@pytest.mark.django_db
def test_the_soft_time_limit_fails_the_run_and_leaves_no_model_process(setup):
    def soft_time_limit(signum, frame):
        raise SoftTimeLimitExceeded()  # as Celery raises it into the task's thread

    run = claimed_run(setup, sandbox_models.SlowModel())
    signal.signal(signal.SIGALRM, soft_time_limit)
    signal.setitimer(signal.ITIMER_REAL, 3)
    try:
        run = run_execute(run=run)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    assert run.status == "failed" and "took longer than" in run.error
    assert model_processes(os.getpid()) == []


@pytest.mark.django_db(transaction=True)
def test_a_cancel_stops_a_long_prediction_and_leaves_no_model_process(setup, monkeypatch):
    monkeypatch.setattr(execution, "CANCEL_POLL_SECONDS", 0.2)
    run = claimed_run(setup, sandbox_models.SlowModel())  # predicts for two minutes

    def cancel() -> None:
        EvaluationRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        connection.close()  # this thread's own

    threading.Timer(2.0, cancel).start()
    started = time.monotonic()

    run = run_execute(run=run)

    assert run.status == "cancelled"
    assert time.monotonic() - started < 30
    assert model_processes(os.getpid()) == []
