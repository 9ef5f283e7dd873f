"""Claiming and executing runs in this process (predictions-only data, no worker)."""

import datetime

import factory
import pytest
from django.utils import timezone

from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.evaluations.services import run_claim, run_execute, runs_sweep
from apps.evaluations.services.execution import _Progress
from apps.findings.models import Finding
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import LaunchSetup, approved_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)
    setup = LaunchSetup()
    return EvaluationRun.objects.create(
        project=setup.project,
        test_plan=setup.plan,
        model_version=setup.model_version,
        dataset=setup.dataset,
    )


def test_of_two_claims_exactly_one_wins(run):
    first, second = run_claim(run_id=run.pk), run_claim(run_id=run.pk)

    assert first is not None and second is None
    assert (first.status, first.attempt) == ("running", 1)
    assert first.heartbeat_at is not None


def test_a_claimed_run_is_evaluated_its_results_stored_and_a_finding_opened(run):
    run = run_execute(run=run_claim(run_id=run.pk))

    assert run.status == "succeeded", run.error
    (result,) = CheckResult.objects.filter(run=run)
    # The data's predictions are right on 3 rows of 4: recall 0.75 meets ">= 0.72".
    assert (result.outcome, result.metric, result.comparator) == ("pass", "recall", ">=")
    assert result.observed["recall"] == pytest.approx(0.75)
    assert run.verdict == "pass"
    assert run.summary["pass"] == 1
    assert (run.progress, run.finished_at is not None) == (100, True)


def test_a_retried_run_replaces_its_results_and_never_duplicates_them(run):
    run = run_execute(run=run_claim(run_id=run.pk))
    first_ids = set(CheckResult.objects.filter(run=run).values_list("pk", flat=True))
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)

    run = run_execute(run=run_claim(run_id=run.pk))

    assert run.attempt == 2 and run.status == "succeeded"
    results = CheckResult.objects.filter(run=run)
    assert results.count() == 1
    assert not first_ids & set(results.values_list("pk", flat=True))


def test_an_engine_error_fails_the_run_with_its_message_not_a_traceback(run):
    # Checked at launch against the dataset's header; here the model changed since.
    run.model_version.features = ["age", "income", "not_a_column"]
    run.model_version.save()

    run = run_execute(run=run_claim(run_id=run.pk))

    assert run.status == "failed"
    assert "'not_a_column'" in run.error and "not in the evaluation data" in run.error
    assert "Traceback" not in run.error
    assert not CheckResult.objects.filter(run=run).exists()


def test_a_cancel_seen_by_the_progress_callback_cancels_the_run(run, monkeypatch):
    EvaluationRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    run = run_claim(run_id=run.pk)
    EvaluationRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    monkeypatch.setattr(_Progress, "check", lambda self: None)

    run = run_execute(run=run)

    assert run.status == "cancelled"
    assert not CheckResult.objects.filter(run=run).exists()


def test_a_failing_run_opens_a_finding(run):
    run.test_plan.checks.update(
        criterion_snapshot={
            "code": "PERF-09", "category": "performance", "metric": "recall",
            "comparator": ">=", "threshold": 0.99, "severity": "high", "blocking": True,
        }
    )  # fmt: skip

    run = run_execute(run=run_claim(run_id=run.pk))

    assert (run.status, run.verdict) == ("succeeded", "fail")
    finding = Finding.objects.get(project=run.project)
    assert (finding.status, finding.first_seen_run, finding.last_seen_run) == ("open", run, run)


def test_a_run_of_checks_that_read_labels_fails_on_data_without_a_target(run):
    # Refused at launch; a run queued before the checks declared it meets it here.
    run.dataset.target_column = ""
    run.dataset.save()

    run = run_execute(run=run_claim(run_id=run.pk))

    assert run.status == "failed"
    assert "need labels" in run.error


def test_a_run_of_checks_that_read_no_labels_succeeds_on_data_without_a_target(run):
    constant = CriterionFactory(
        project=run.project, category="data_quality", check_key="data_quality.constant_columns",
        metric="near_constant_column_count", comparator="<=", threshold=0,
    )  # fmt: skip
    run.test_plan = approved_plan(
        run.project, [constant], user=run.test_plan.created_by, name="Constant"
    )
    run.dataset.target_column = ""
    run.dataset.save()
    run.save()

    run = run_execute(run=run_claim(run_id=run.pk))

    assert run.status == "succeeded", run.error
    assert CheckResult.objects.get(run=run, subject="").outcome == "pass"


def stale(run, seconds=600):
    EvaluationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def test_the_sweeper_requeues_a_stale_run_then_fails_it_as_worker_lost(run):
    run = run_claim(run_id=run.pk)
    stale(run)

    assert runs_sweep(stale_after_seconds=90) == {"requeued": 1, "failed": 0, "cancelled": 0}
    run.refresh_from_db()
    assert run.status == "queued"

    run = run_claim(run_id=run.pk)
    assert run.attempt == 2
    stale(run)
    assert runs_sweep(stale_after_seconds=90)["failed"] == 1
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "worker lost")


def test_the_sweeper_leaves_a_run_with_a_fresh_heartbeat_alone(run):
    run_claim(run_id=run.pk)

    assert runs_sweep(stale_after_seconds=90) == {"requeued": 0, "failed": 0, "cancelled": 0}


def test_a_queued_run_is_sent_again_only_once_its_message_is_overdue(
    run, django_capture_on_commit_callbacks
):
    from apps.evaluations.services import queued_runs_resend

    EvaluationRun.objects.filter(pk=run.pk).update(queued_at=timezone.now())
    assert queued_runs_resend(older_than_seconds=600) == 0

    EvaluationRun.objects.filter(pk=run.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=900)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert queued_runs_resend(older_than_seconds=600) == 1
    assert len(callbacks) == 1  # the send, after the commit
    assert queued_runs_resend(older_than_seconds=600) == 0  # just sent: not again yet


def test_a_claimed_run_is_not_sent_again(run):
    from apps.evaluations.services import queued_runs_resend

    EvaluationRun.objects.filter(pk=run.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=900)
    )
    run_claim(run_id=run.pk)

    assert queued_runs_resend(older_than_seconds=600) == 0


def test_nested_columns_are_left_out_of_a_run_and_said_so(monkeypatch):
    import io

    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from tests.evaluations.factories import csv_bytes

    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)
    setup = LaunchSetup()
    table = pa_csv.read_csv(io.BytesIO(csv_bytes()))
    table = table.append_column("meta", pa.array([{"source": "web"}] * table.num_rows))
    table = table.append_column("tags", pa.array([[1, 2]] * table.num_rows))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    dataset = setup.make_dataset(
        file=factory.django.FileField(filename="eval.parquet", data=buffer.getvalue()),
        file_format="parquet",
        columns=table.column_names,
    )
    run = EvaluationRun.objects.create(
        project=setup.project, test_plan=setup.plan, model_version=setup.model_version,
        dataset=dataset,
    )  # fmt: skip

    run = run_execute(run=run_claim(run_id=run.pk))

    assert run.status == "succeeded", run.error
    assert not CheckResult.objects.filter(run=run, outcome="error").exists()
    assert run.summary["warnings"] == [
        "The evaluation data's columns hold nested values, which no check can judge: "
        "'meta' (struct), 'tags' (list); the checks leave them out."
    ]
