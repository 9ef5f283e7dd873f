"""A project's monitoring settings: the production model version, the monitoring plan and
the reference data the production samples are compared with."""

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.monitoring.models import ProjectMonitoring
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project
from apps.testplans.models import TestPlan
from qualiti.errors import InvalidInput


def monitoring_for(*, project: Project) -> ProjectMonitoring | None:
    return (
        ProjectMonitoring.objects.filter(project=project)
        .select_related("production_model_version", "reference_dataset", "updated_by")
        .first()
    )


def plan_names(*, project: Project) -> list[str]:
    """Every plan name of the project, whatever its versions' states."""
    return sorted(set(TestPlan.objects.filter(project=project).values_list("name", flat=True)))


@transaction.atomic
def monitoring_settings_set(
    *,
    user: User | None,
    project: Project,
    production_model_version: ModelVersion | None,
    plan_name: str,
    reference_dataset: Dataset | None = None,
) -> ProjectMonitoring:
    """Name the production model version and the monitoring plan (an empty name stops
    monitoring on arrival). The plan is named, not a version: each sample is checked with
    the plan's approved version of the day, and old runs keep the version they ran."""
    project_action_check(
        user=user,
        project_id=project.pk,
        action=Action.PROJECT_MANAGE,
        refusal="Only the project's quality manager and admins change its monitoring.",
    )
    plan_name = plan_name.strip()
    if plan_name and plan_name not in plan_names(project=project):
        raise InvalidInput(f"The project has no test plan “{plan_name}”.", field="plan_name")
    if production_model_version is not None and production_model_version.project_id != project.pk:
        raise InvalidInput(
            "The model version belongs to another project.", field="production_model_version"
        )
    if reference_dataset is not None and (
        reference_dataset.project_id != project.pk
        or reference_dataset.role != DatasetRole.REFERENCE
    ):
        raise InvalidInput(
            "The reference dataset must be a reference dataset of this project.",
            field="reference_dataset",
        )
    monitoring = ProjectMonitoring.objects.select_for_update().filter(project=project).first()
    if monitoring is None:
        monitoring = ProjectMonitoring(project=project)
    monitoring.production_model_version = production_model_version
    monitoring.plan_name = plan_name
    monitoring.reference_dataset = reference_dataset
    monitoring.updated_by = user
    monitoring.full_clean()
    monitoring.save()
    return monitoring
