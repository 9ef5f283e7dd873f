"""A monitoring run: the approved version of a plan, on the production model version and
one production sample, compared with the project's reference data. Shared by the run on
a sample's arrival (batches.py) and the scheduled one (schedules.py)."""

from apps.accounts.models import User
from apps.evaluations.models import EvaluationRun
from apps.evaluations.services.launch import run_create
from apps.evaluations.services.plans import plan_checks, plan_dataset_roles
from apps.monitoring.models import ProjectMonitoring
from apps.projects.models import Dataset, DatasetRole, Project, ValidationStatus
from apps.testplans.models import PlanStatus, TestPlan
from qualiti.errors import InvalidInput


def latest_valid_dataset(*, project: Project, role: str) -> Dataset | None:
    return (
        project.datasets.filter(role=role, validation_status=ValidationStatus.VALID)
        .order_by("-created_at", "-id")
        .first()
    )


def approved_plan(*, project: Project, plan_name: str) -> TestPlan:
    """The approved version of the plan name; InvalidInput says why there is none."""
    plan = TestPlan.objects.filter(
        project=project, name=plan_name, status=PlanStatus.APPROVED
    ).first()
    if plan is None:
        raise InvalidInput(
            f"the test plan “{plan_name}” has no approved version", field="plan_name"
        )
    return plan


def monitoring_run_create(
    *,
    monitoring: ProjectMonitoring,
    plan_name: str,
    sample: Dataset,
    user: User | None,
    triggered_by: str,
) -> EvaluationRun:
    """Queue the run (on commit). Every refusal is an InvalidInput whose message reads
    after "not monitored: "."""
    project = monitoring.project
    model_version = monitoring.production_model_version
    if model_version is None:
        raise InvalidInput(
            "the project names no production model version", field="production_model_version"
        )
    plan = approved_plan(project=project, plan_name=plan_name)
    roles = plan_dataset_roles(plan_checks(plan))
    reference = None
    if DatasetRole.REFERENCE in roles:
        reference = monitoring.reference_dataset or latest_valid_dataset(
            project=project, role=DatasetRole.REFERENCE
        )
        if reference is None:
            raise InvalidInput(
                "the plan compares with reference data, and the project has no valid "
                "reference dataset",
                field="reference_dataset",
            )
    training = None
    if DatasetRole.TRAIN in roles:
        training = latest_valid_dataset(project=project, role=DatasetRole.TRAIN)
    return run_create(
        project=project,
        user=user,
        test_plan=plan,
        model_version=model_version,
        dataset=sample,
        reference_dataset=reference,
        training_dataset=training,
        triggered_by=triggered_by,
    )
