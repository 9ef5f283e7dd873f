"""The demo project's review material: criteria from the catalogue, an approved test plan,
a real scikit-learn model (.skops) and its datasets, all created through the services, the
same way a quality manager and a developer would through the pages and the API."""

import tempfile
from pathlib import Path

import skops.io
from django.core.files import File
from threadpoolctl import threadpool_limits

from apps.accounts.models import User
from apps.criteria.models import Criterion, CriterionTemplate
from apps.criteria.services import criterion_create_from_template, criterion_templates_sync
from apps.criteria.services_attestations import attestation_accept, attestation_submit
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project, TaskType
from apps.projects.services import dataset_create, dataset_validate, model_version_create
from apps.standards.services import frameworks_sync
from apps.testplans import services as plan_services
from apps.testplans.models import TestPlan
from qualiti.demo import data as demo_data

DEMO_CRITERIA = [
    "PERF-01", "PERF-03", "CAL-01", "FAIR-01", "DQ-02", "DQ-04", "DQ-12", "DRIFT-01", "DRIFT-02",
]  # fmt: skip
# Questions a person answers: the quality manager's is answered and accepted, the
# developer's waits for the quality manager's decision.
DEMO_PROCESS_CRITERIA = ["PROC-01", "PROC-02"]
DEMO_PLAN = "Release gate"
DEMO_MODEL_LABEL = "1.0 (gradient boosting)"
# name, role, seed, rows, label bias, share of lost incomes, file format. The training labels
# are biased against women; the evaluation export lost some incomes. Both are for the review
# to find.
DEMO_DATASETS = [
    ("Applicants 2023 (training)", DatasetRole.TRAIN, 1, 6000, 0.35, 0.0, "csv"),
    ("Applicants Q1 2024 (evaluation)", DatasetRole.EVALUATION, 2, 3000, 0.0, 0.08, "csv"),
    ("Applicants Q4 2023 (reference)", DatasetRole.REFERENCE, 4, 3000, 0.0, 0.0, "parquet"),
]


def demo_review_seed(*, project: Project, qm: User, dev: User) -> list[str]:
    """Create what is missing; returns what was created."""
    created: list[str] = []
    criterion_templates_sync()
    frameworks_sync()
    criteria = []
    for code in DEMO_CRITERIA:
        criterion = Criterion.objects.filter(project=project, code=code).first()
        if criterion is None:
            template = CriterionTemplate.objects.get(code=code)
            criterion = criterion_create_from_template(project=project, template=template, user=qm)
            created.append(f"criterion {code}")
        criteria.append(criterion)

    created += _process_criteria_seed(project=project, qm=qm, dev=dev)

    if not TestPlan.objects.filter(project=project, name=DEMO_PLAN).exists():
        plan = plan_services.test_plan_create(
            project=project,
            user=qm,
            name=DEMO_PLAN,
            description="What every model version must pass before it ships.",
        )
        for criterion in criteria:
            roles = ["evaluation", "reference"] if criterion.category == "drift" else ["evaluation"]
            if criterion.code == "DQ-12":
                roles = ["evaluation", "train"]
            plan_services.plan_check_add(
                user=None, plan=plan, criterion=criterion, dataset_roles=roles
            )
        plan_services.test_plan_approve(plan=plan, user=qm)
        created.append(f"approved plan {DEMO_PLAN}")

    with tempfile.TemporaryDirectory() as folder, threadpool_limits(limits=1):
        frames = {}
        for name, role, seed, rows, bias, missing, file_format in DEMO_DATASETS:
            frames[role] = demo_data.credit_applicants(
                rows, seed=seed, label_bias=bias, missing_income=missing
            )
            if Dataset.objects.filter(project=project, name=name).exists():
                continue
            path = Path(folder) / f"{role}.{file_format}"
            if file_format == "csv":
                frames[role].to_csv(path, index=False)
            else:
                frames[role].to_parquet(path, index=False)
            with path.open("rb") as handle:
                dataset = dataset_create(
                    project=project,
                    user=qm if role != DatasetRole.TRAIN else dev,
                    uploaded_file=File(handle, name=path.name),
                    name=name,
                    role=role,
                    target_column=demo_data.TARGET,
                    sensitive_columns=demo_data.SENSITIVE,
                )
            dataset_validate(dataset_id=dataset.pk)
            created.append(f"dataset {name}")

        if not ModelVersion.objects.filter(project=project, label=DEMO_MODEL_LABEL).exists():
            model = demo_data.credit_model(frames[DatasetRole.TRAIN])
            path = Path(folder) / "credit-model.skops"
            skops.io.dump(model, path)
            with path.open("rb") as handle:
                model_version_create(
                    project=project,
                    user=dev,
                    uploaded_file=File(handle, name=path.name),
                    label=DEMO_MODEL_LABEL,
                    task_type=TaskType.BINARY,
                    features=demo_data.FEATURES,
                    notes="Gradient boosting on the 2023 applications.",
                )
            created.append(f"model version {DEMO_MODEL_LABEL}")
    return created


def _process_criteria_seed(*, project: Project, qm: User, dev: User) -> list[str]:
    created: list[str] = []
    answers = {
        "PROC-01": (qm, "Approved by the product owner; the statement lists the excluded uses."),
        "PROC-02": (dev, "Updated for version 1.0: data, features, training and validation."),
    }
    for code in DEMO_PROCESS_CRITERIA:
        if Criterion.objects.filter(project=project, code=code).exists():
            continue
        template = CriterionTemplate.objects.get(code=code)
        criterion = criterion_create_from_template(project=project, template=template, user=qm)
        person, answer = answers[code]
        attestation = attestation_submit(
            criterion=criterion,
            user=person,
            answer=answer,
            evidence_url=f"https://wiki.example.com/credit-scoring/{code.lower()}",
        )
        if person == qm:
            attestation_accept(attestation=attestation, user=qm, note="Signed copy on file.")
        created.append(f"criterion {code}")
    return created
