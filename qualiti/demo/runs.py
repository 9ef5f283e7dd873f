"""The demo's review history: version 1.0 of the model is evaluated, found wanting, and a
developer's fixed version 1.1 is evaluated again, so a new user sees real results, open
findings with corrective actions, a regression and a verified fix.

Runs are executed in this process (through the same services the worker uses) so the demo is
complete before the worker starts; outside any transaction, because a run writes its
heartbeat from a second thread.
"""

import tempfile
from pathlib import Path

import skops.io
from django.core.files import File
from threadpoolctl import threadpool_limits

from apps.accounts.models import User
from apps.evaluations.models import EvaluationRun, Trigger
from apps.evaluations.services import run_claim, run_create, run_execute
from apps.findings.models import Finding, FindingStatus
from apps.findings.services import finding_transition
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project, TaskType
from apps.projects.services import dataset_create, dataset_validate, model_version_create
from apps.testplans.models import PlanStatus, TestPlan
from qualiti.demo import data as demo_data

FIXED_MODEL_LABEL = "1.1 (audited labels)"
AUDITED_TRAINING = "Applicants 2023, audited labels (training)"


def _run(*, project: Project, user: User, model_version: ModelVersion, training: Dataset):
    plan = TestPlan.objects.get(project=project, status=PlanStatus.APPROVED)
    datasets = Dataset.objects.filter(project=project)
    run = run_create(
        project=project,
        user=user,
        test_plan=plan,
        model_version=model_version,
        dataset=datasets.get(role=DatasetRole.EVALUATION),
        reference_dataset=datasets.get(role=DatasetRole.REFERENCE),
        training_dataset=training,
        triggered_by=Trigger.PAGE,
    )
    claimed = run_claim(run_id=run.pk)
    return run_execute(run=claimed) if claimed else run


def demo_runs_seed(*, project: Project, qm: User, dev: User) -> list[str]:
    """Evaluate version 1.0, then upload and evaluate the fix; skip what exists."""
    created: list[str] = []
    first = ModelVersion.objects.filter(project=project).order_by("sequence").first()
    biased_training = Dataset.objects.filter(project=project, role=DatasetRole.TRAIN).earliest("id")
    if first is not None and not EvaluationRun.objects.filter(model_version=first).exists():
        _run(project=project, user=qm, model_version=first, training=biased_training)
        created.append(f"run of {first.label}")

    if ModelVersion.objects.filter(project=project, label=FIXED_MODEL_LABEL).exists():
        return created
    with tempfile.TemporaryDirectory() as folder, threadpool_limits(limits=1):
        audited = demo_data.credit_applicants(6000, seed=3, label_bias=0.0)
        path = Path(folder) / "train-audited.csv"
        audited.to_csv(path, index=False)
        with path.open("rb") as handle:
            training = dataset_create(
                project=project,
                user=dev,
                uploaded_file=File(handle, name=path.name),
                name=AUDITED_TRAINING,
                role=DatasetRole.TRAIN,
                target_column=demo_data.TARGET,
                sensitive_columns=demo_data.SENSITIVE,
            )
        training = dataset_validate(dataset_id=training.pk)
        model_path = Path(folder) / "credit-model-1.1.skops"
        skops.io.dump(demo_data.credit_model(audited), model_path)
        with model_path.open("rb") as handle:
            fixed = model_version_create(
                project=project,
                user=dev,
                uploaded_file=File(handle, name=model_path.name),
                label=FIXED_MODEL_LABEL,
                task_type=TaskType.BINARY,
                features=demo_data.FEATURES,
                notes="Retrained on the audited 2023 labels (the old ones were biased by sex).",
            )
    created.append(f"model version {FIXED_MODEL_LABEL}")
    for finding in Finding.objects.filter(project=project, status=FindingStatus.OPEN):
        if finding.category in ("calibration", "fairness", "performance"):
            finding_transition(
                finding=finding,
                user=dev,
                to=FindingStatus.FIX_SUBMITTED,
                reason="Retrained on audited labels: model 1.1.",
                version=finding.version,
            )
    run = _run(project=project, user=dev, model_version=fixed, training=training)
    created.append(f"run of {FIXED_MODEL_LABEL} ({run.status}, {run.verdict})")
    return created
