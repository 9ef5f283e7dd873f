"""The project option "run on upload": a new model version is evaluated against the
project's approved plan without anyone launching it."""

from apps.evaluations.models import EvaluationRun, Trigger
from apps.evaluations.services.launch import run_create
from apps.evaluations.services.plans import plan_checks, plan_dataset_roles
from apps.projects.models import DatasetRole, ModelVersion, ValidationStatus
from apps.testplans.models import PlanStatus
from qualiti.errors import QualitiError
from qualiti.events import Event, event_publish


def _latest_valid(project, role: str):
    return (
        project.datasets.filter(role=role, validation_status=ValidationStatus.VALID)
        .order_by("-created_at", "-id")
        .first()
    )


def run_on_upload(model_version_id: int) -> None:
    """After each model version upload (registered in apps.py): a run when the project
    asks for one."""
    if ModelVersion.objects.filter(pk=model_version_id, project__run_on_upload=True).exists():
        run_create_on_upload(model_version_id=model_version_id)


def run_create_on_upload(*, model_version_id: int) -> EvaluationRun | None:
    """Queue a run of the project's one approved plan on its latest valid evaluation
    dataset; when that is not possible, tell the uploader why and queue nothing."""
    model_version = ModelVersion.objects.select_related("project", "uploaded_by").get(
        pk=model_version_id
    )
    project, user = model_version.project, model_version.uploaded_by
    plans = list(project.test_plans.filter(status=PlanStatus.APPROVED))
    dataset = _latest_valid(project, DatasetRole.EVALUATION)
    why = None
    if len(plans) != 1:
        why = f"the project has {len(plans)} approved test plans (it needs exactly one)"
    elif dataset is None:
        why = "the project has no valid evaluation dataset"
    run = None
    if why is None:
        roles = plan_dataset_roles(plan_checks(plans[0]))
        try:
            run = run_create(
                project=project,
                user=user,
                test_plan=plans[0],
                model_version=model_version,
                dataset=dataset,
                reference_dataset=_latest_valid(project, DatasetRole.REFERENCE)
                if DatasetRole.REFERENCE in roles
                else None,
                training_dataset=_latest_valid(project, DatasetRole.TRAIN)
                if DatasetRole.TRAIN in roles
                else None,
                triggered_by=Trigger.UPLOAD,
            )
        except QualitiError as error:  # refused as a launch by hand would be: say why
            why = error.message
    if why is not None and user is not None:
        event_publish(
            Event(
                "run.not_started",
                project,
                model_version,
                data={
                    "uploader": user,
                    "why": why,
                    "link": f"/projects/{project.slug}/uploads/models/{model_version.pk}/",
                },
            )
        )
    return run
