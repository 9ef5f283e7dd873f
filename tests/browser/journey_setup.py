"""Shared setup of the developer and management journeys: the demo project reviewed for
real. `failing_review` seeds the demo (users, team, approved plan "Release gate", model
version 1 trained on labels biased against women, its datasets) and has the real Celery
worker evaluate version 1: the run fails on the blocking fairness criterion, and the
findings it opens are assigned to the developers' team, each with a corrective action.

Everything goes through the services the pages and the worker use; nothing is hand-made.
Runs are queued with `run_create` (the task is sent when the transaction commits) and
executed by the worker process, which the tests wait for with a bounded poll.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import skops.io
from django.core.files import File
from threadpoolctl import threadpool_limits

from apps.accounts.models import User
from apps.evaluations.models import FINISHED_RUN_STATUSES, EvaluationRun, RunStatus, Trigger
from apps.evaluations.services import run_create
from apps.findings.models import Finding, FindingStatus
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project, TaskType
from apps.projects.services import dataset_create, dataset_validate, model_version_create
from apps.testplans.models import PlanStatus, TestPlan
from qualiti.demo import data as demo_data
from qualiti.demo.seed import DEMO_PASSWORD, DEMO_PROJECT_SLUG, demo_seed

RUN_TIMEOUT_S = 120
RUN_TIMEOUT_MS = RUN_TIMEOUT_S * 1000
FAIRNESS_CODE = "FAIR-01"
FIXED_ROWS = 4000  # training rows of the fixed model: small, so runs stay fast


@dataclass
class Review:
    project: Project
    qm: User
    dev: User
    manager: User
    plan: TestPlan
    first_version: ModelVersion
    evaluation: Dataset
    reference: Dataset
    training: Dataset
    failing_run: EvaluationRun | None = None  # set once the worker has run version 1

    def finding(self, code: str) -> Finding:
        return Finding.objects.get(project=self.project, criterion__code=code)


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    assert page.locator(".topbar .user-name").inner_text().startswith(username)


def wait_for_run(run: EvaluationRun, *, timeout: float = RUN_TIMEOUT_S) -> EvaluationRun:
    """The run once the worker has finished it (succeeded, failed or cancelled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in FINISHED_RUN_STATUSES:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run.pk} still {run.status} after {timeout}s")


def queue_run(
    review: "Review",
    *,
    user: User,
    model_version: ModelVersion,
    evaluation: Dataset | None = None,
) -> EvaluationRun:
    """Launch the approved plan on a model version, as the launch page does."""
    return run_create(
        project=review.project,
        user=user,
        test_plan=review.plan,
        model_version=model_version,
        dataset=evaluation or review.evaluation,
        reference_dataset=review.reference,
        training_dataset=review.training,
        triggered_by=Trigger.PAGE,
    )


def failing_review(worker) -> Review:
    """The demo seeded, and version 1 evaluated by the real worker: a failing run."""
    assert worker.ping(), "the Celery worker does not answer"
    demo_seed()
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    datasets = Dataset.objects.filter(project=project)
    review = Review(
        project=project,
        qm=User.objects.get(username="qm"),
        dev=User.objects.get(username="dev"),
        manager=User.objects.get(username="manager"),
        plan=TestPlan.objects.get(project=project, status=PlanStatus.APPROVED),
        first_version=ModelVersion.objects.get(project=project, sequence=1),
        evaluation=datasets.get(role=DatasetRole.EVALUATION),
        reference=datasets.get(role=DatasetRole.REFERENCE),
        training=datasets.get(role=DatasetRole.TRAIN),
    )
    run = wait_for_run(queue_run(review, user=review.qm, model_version=review.first_version))
    assert run.status == RunStatus.SUCCEEDED, (run.status, run.error, worker.log_tail())
    assert run.verdict == "fail", run.summary
    assert run.summary["blocking_failures"] >= 1, run.summary
    review.failing_run = run
    fairness = review.finding(FAIRNESS_CODE)
    assert fairness.status == FindingStatus.OPEN
    assert fairness.assigned_team == project.development_team
    assert fairness.first_seen_run_id == run.pk
    assert fairness.actions.count() == 1  # the corrective action the run proposed
    return review


def fixed_model_file(folder: Path) -> Path:
    """Version 2 of the model, trained on labels without the bias against women."""
    with threadpool_limits(limits=1):
        audited = demo_data.credit_applicants(FIXED_ROWS, seed=3, label_bias=0.0)
        model = demo_data.credit_model(audited)
    path = folder / "credit-model-fixed.skops"
    skops.io.dump(model, path)
    return path


def fixed_model_upload(review: Review, folder: Path) -> ModelVersion:
    """The developer uploads the fixed model (as the uploads page does)."""
    path = fixed_model_file(folder)
    with path.open("rb") as handle:
        return model_version_create(
            project=review.project,
            user=review.dev,
            uploaded_file=File(handle, name=path.name),
            label="1.1 (audited labels)",
            task_type=TaskType.BINARY,
            features=demo_data.FEATURES,
            notes="Retrained on audited labels, without the bias against women.",
        )


def corrected_evaluation_upload(review: Review, folder: Path) -> Dataset:
    """The quality manager uploads the evaluation export again, this time without lost
    incomes, and it is read in full (valid)."""
    with threadpool_limits(limits=1):
        frame = demo_data.credit_applicants(3000, seed=5, missing_income=0.0)
    path = folder / "evaluation-corrected.csv"
    frame.to_csv(path, index=False)
    with path.open("rb") as handle:
        dataset = dataset_create(
            project=review.project,
            user=review.qm,
            uploaded_file=File(handle, name=path.name),
            name="Applicants Q1 2024, corrected export (evaluation)",
            role=DatasetRole.EVALUATION,
            target_column=demo_data.TARGET,
            sensitive_columns=demo_data.SENSITIVE,
        )
    return dataset_validate(dataset_id=dataset.pk)
