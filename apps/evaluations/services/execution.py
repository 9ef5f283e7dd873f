"""Running a claimed run: load its data and model, evaluate, store the results and sync
the findings. The run row is the job: a worker claims it with a conditional UPDATE, keeps
its heartbeat fresh while it works, and writes its end only if the run is still its own."""

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from apps.evaluations import engine
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.services.history import run_status_record
from apps.evaluations.services.plans import labels_required, plan_checks, plan_items
from apps.evaluations.services.results import run_results_store
from apps.projects.models import ArtifactFormat
from apps.testplans.models import PlanCheck
from qualiti.stored_files import StorageUnavailable, StoredFileMismatch, stored_file_local

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL_SECONDS = 1.0
CANCEL_POLL_SECONDS = 2.0
# The engine refuses evaluation data without its target column, even for plans of checks
# that declare they read no labels; such data gets an empty one, under the reference's
# target name (see `_unlabelled_target`) or else this one.
NO_TARGET_COLUMN = "__qualiti_no_target__"


class RunCancelled(Exception):
    """Raised from the progress callback when the run's cancel flag is seen."""


class RunLost(Exception):
    """The run is no longer this worker's (the sweeper gave it to another attempt)."""


def run_claim(*, run_id: int) -> EvaluationRun | None:
    """queued → running in one conditional UPDATE: of two workers, exactly one gets it."""
    now = timezone.now()
    claimed = EvaluationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        attempt=F("attempt") + 1,
        heartbeat_at=now,
        started_at=now,
        finished_at=None,
        progress=0,
        current_step="starting",
        error="",
    )
    if not claimed:
        return None
    run = EvaluationRun.objects.get(pk=run_id)
    run_status_record(run=run, from_status=RunStatus.QUEUED, reason=f"attempt {run.attempt}")
    return run


def _mine(run: EvaluationRun):
    return EvaluationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempt=run.attempt)


class _Heartbeat(threading.Thread):
    """Keeps the run's heartbeat fresh while the model predicts or a slow check runs (no
    progress callback then), and notices a cancel within CANCEL_POLL_SECONDS: it then
    stops the model's process, so a long prediction does not outlive the cancel."""

    def __init__(self, run: EvaluationRun, interval: float) -> None:
        super().__init__(name=f"run-{run.pk}-heartbeat", daemon=True)
        self.run_row = run
        self.interval = interval
        self.stopped = threading.Event()
        self.cancelled = threading.Event()
        self.lost = threading.Event()
        self.on_cancel: list = []  # callables run once, from this thread, on a cancel

    def run(self) -> None:
        try:
            beat_due = time.monotonic() + self.interval
            while not self.stopped.wait(min(CANCEL_POLL_SECONDS, self.interval)):
                if time.monotonic() >= beat_due:
                    beat_due = time.monotonic() + self.interval
                    if not _mine(self.run_row).update(heartbeat_at=timezone.now()):
                        self.lost.set()
                if self.cancelled.is_set() or self.lost.is_set():
                    continue
                if _mine(self.run_row).filter(cancel_requested=True).exists():
                    self.cancelled.set()
                    for callback in self.on_cancel:
                        callback()
        except Exception:  # a heartbeat that fails must not take the run down
            logger.exception("heartbeat of run %s failed", self.run_row.pk)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


class _Progress:
    """The engine's progress callback: writes progress, step and heartbeat at most about
    once a second, and stops the run when it was cancelled or taken from this worker."""

    def __init__(self, run: EvaluationRun, heartbeat: _Heartbeat, total_items: int) -> None:
        self.run = run
        self.heartbeat = heartbeat
        self.total_items = max(total_items, 1)
        self.item = 0
        self.last_write = 0.0

    def __call__(self, done: int, total: int, step: str) -> None:
        self.check()
        fraction = (self.item + (done / total if total else 1.0)) / self.total_items
        self.write(int(10 + 85 * fraction), step)

    def write(self, progress: int, step: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_write < PROGRESS_INTERVAL_SECONDS:
            return
        self.last_write = now
        updated = _mine(self.run).update(
            progress=min(progress, 100), current_step=step[:200], heartbeat_at=timezone.now()
        )
        if not updated:
            raise RunLost()
        if _mine(self.run).filter(cancel_requested=True).exists():
            raise RunCancelled()

    def check(self) -> None:
        if self.heartbeat.cancelled.is_set():
            raise RunCancelled()
        if self.heartbeat.lost.is_set():
            raise RunLost()


@contextlib.contextmanager
def _local_path(field_file: FieldFile, *, size: int, sha256: str) -> Iterator[Path]:
    """A path on this machine for a stored file: the file itself on the local storage, a
    copy in this worker's own folder from a bucket, its size and sha256 checked against
    the upload's (a mismatch fails the run, naming both)."""
    try:
        with stored_file_local(field_file, size=size, sha256=sha256, prefix="qualiti-run-") as path:
            yield path
    except (StoredFileMismatch, StorageUnavailable) as error:
        raise engine.EngineError(error.message) from error
    except FileNotFoundError as error:
        name = Path(field_file.name or "").name
        raise engine.EngineError(
            f"The stored file {name!r} is missing from the file store; upload it again."
        ) from error


def _read(stack: contextlib.ExitStack, dataset, role: str):
    if dataset is None:
        return None
    path = _local_path(dataset.file, size=dataset.size_bytes, sha256=dataset.sha256)
    return engine.read_table(stack.enter_context(path), role=role)


def _unlabelled_target(evaluation, reference) -> str:
    """The target column's name for evaluated data without labels: the reference's, so the
    checks that compare with the reference's labels (performance estimated without labels)
    still find them; a made-up name when there is none, or when the data has a column of
    that name it does not call its labels."""
    name = reference.target_column if reference is not None else ""
    if name and name not in evaluation.columns:
        return name
    return NO_TARGET_COLUMN


def _evaluate(run: EvaluationRun, progress: _Progress) -> tuple[list, dict]:
    """The engine's results, each paired with its plan check, and the report summary."""
    checks = plan_checks(run.test_plan)
    pairs = plan_items(checks)
    dataset, model_version = run.dataset, run.model_version
    with contextlib.ExitStack() as stack:
        progress.write(2, "loading data", force=True)
        evaluation = _read(stack, dataset, "evaluation")
        reference = _read(stack, run.reference_dataset, "reference")
        train = _read(stack, run.training_dataset, "train")
        target = dataset.target_column
        if not target or target not in evaluation.columns:
            # Refused at launch; a run queued earlier may not be. (A production sample may
            # lack labels: the checks that read them are skipped.)
            if labels_required(checks, dataset):
                raise engine.EngineError(
                    f"The plan's checks need labels, but the dataset “{dataset.name}” has no "
                    "target column."
                )
            target = _unlabelled_target(evaluation, run.reference_dataset)
            evaluation[target] = float("nan")
        if model_version.artifact_format == ArtifactFormat.NONE:
            source = engine.ColumnPredictions(
                dataset.prediction_column or None, dataset.probability_columns or ()
            )
        else:
            progress.write(5, "loading the model", force=True)
            source = engine.ModelSandbox(
                stack.enter_context(
                    _local_path(
                        model_version.artifact,
                        size=model_version.size_bytes,
                        sha256=model_version.sha256,
                    )
                ),
                limits=engine.SandboxLimits(
                    predict_timeout_s=min(900.0, settings.QUALITI_RUN_SOFT_TIME_LIMIT),
                    threads=settings.QUALITI_RUN_THREADS,
                ),
                trusted_types=settings.QUALITI_RUN_TRUSTED_TYPES,
            )
            stack.enter_context(source)
            progress.heartbeat.on_cancel.append(source.interrupt)
        progress.check()
        context = engine.EvaluationContext(
            evaluation=evaluation,
            reference=reference,
            train=train,
            target=target,
            sensitive=dataset.sensitive_columns or (),
            features=model_version.features or None,
            task=model_version.task_type,
            source=source,
            settings=engine.EngineSettings(threads=settings.QUALITI_RUN_THREADS),
        )
        progress.write(8, "predicting", force=True)
        # The model predicts in its process while the checks of the data run here; a
        # model that cannot predict fails the run when the first check needs it.
        context.request_predictions()
        engine.prepare_model_work(context, [item for _, item in pairs])
        results: list[tuple[PlanCheck, engine.CheckResult]] = []
        reports: list[engine.EvaluationReport] = []
        # One plan item at a time, so every result is paired with its plan check; the
        # context still computes the predictions once for all of them.
        # The checks that call the model move up once it has answered all it was handed.
        items = [item for _, item in pairs]
        order = engine.run_order(items)
        calling_model = {i for i in order if engine.get_check(items[i].check).needs == "model"}
        for number, index in enumerate(engine.in_turn(context, items, order)):
            plan_check, item = pairs[index]
            progress.item = number
            report = engine.evaluate(
                context, [item], progress=progress, keep_model=bool(calling_model)
            )
            calling_model.discard(index)
            reports.append(report)
            results.extend((plan_check, result) for result in report.results)
        context.predictions("evaluation")  # even a plan of data checks needs a working model
        summary = engine.EvaluationReport(
            results=[result for report in reports for result in report.results]
        ).summary()
        summary["warnings"] = list(context.warnings)  # what the engine worked around
    return results, summary


def _finish(run: EvaluationRun, *, status: str, error: str = "", reason: str = "") -> bool:
    with transaction.atomic():
        updated = _mine(run).update(
            status=status, error=error, finished_at=timezone.now(), heartbeat_at=timezone.now()
        )
        if updated:
            run.refresh_from_db()
            run_status_record(run=run, from_status=RunStatus.RUNNING, reason=reason or error)
    return bool(updated)


def run_execute(*, run: EvaluationRun) -> EvaluationRun:
    """Evaluate a claimed (running) run to its end: succeeded with its results stored and
    findings synced, failed with a message (never a traceback), or cancelled."""
    run = EvaluationRun.objects.select_related(
        "project", "test_plan", "model_version", "dataset", "reference_dataset", "training_dataset"
    ).get(pk=run.pk)
    interval = max(1.0, settings.QUALITI_RUN_HEARTBEAT_STALE_SECONDS / 3)
    heartbeat = _Heartbeat(run, interval)
    heartbeat.start()
    try:
        progress = _Progress(run, heartbeat, total_items=run.test_plan.checks.count())
        results, summary = _evaluate(run, progress)
        progress.check()
        progress.write(97, "storing results", force=True)
        if not run_results_store(run=run, results=results, summary=summary):
            raise RunLost()
    except RunCancelled:
        _finish(run, status=RunStatus.CANCELLED, reason="cancelled by request")
    except RunLost:
        logger.warning("run %s attempt %s was taken over; stopping", run.pk, run.attempt)
    except engine.EngineError as error:
        if heartbeat.cancelled.is_set():  # the model's process was stopped for the cancel
            _finish(run, status=RunStatus.CANCELLED, reason="cancelled by request")
        else:
            _finish(run, status=RunStatus.FAILED, error=error.message)
    except SoftTimeLimitExceeded:
        limit = settings.QUALITI_RUN_SOFT_TIME_LIMIT
        _finish(run, status=RunStatus.FAILED, error=f"The run took longer than {limit} s.")
    except Exception as error:  # logged in full for operators; users get one line
        logger.exception("run %s failed", run.pk)
        _finish(
            run,
            status=RunStatus.FAILED,
            error=f"An internal error stopped the run ({type(error).__name__}); "
            "the operators can read the worker's log.",
        )
    finally:
        heartbeat.stop()
    run.refresh_from_db()
    return run
