"""Launching and cancelling runs. Everything checkable is checked before a run is queued,
so a worker only meets problems that need the data read to be seen."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Action, project_action_check
from apps.evaluations.models import EvaluationRun, RunStatus, Trigger
from apps.evaluations.services.history import run_status_record
from apps.evaluations.services.plans import (
    labels_required,
    plan_checks,
    plan_dataset_roles,
    plan_items,
)
from apps.projects.models import (
    ArtifactFormat,
    Dataset,
    DatasetRole,
    ModelVersion,
    Project,
    ValidationStatus,
)
from apps.testplans.models import PlanStatus, TestPlan
from qualiti.errors import InvalidInput

EVALUATED_ROLES = (DatasetRole.EVALUATION, DatasetRole.PRODUCTION_SAMPLE)


def run_queue(run_id: int) -> None:
    """Send the run to the evaluations queue (call on commit)."""
    from apps.evaluations.tasks import evaluation_run_task  # tasks import the services

    evaluation_run_task.delay(run_id)


def _dataset_check(
    dataset: Dataset | None, *, project: Project, roles: tuple[str, ...], field: str
) -> None:
    if dataset is None:
        return
    if dataset.project_id != project.pk:
        raise InvalidInput(f"The dataset “{dataset.name}” belongs to another project.", field=field)
    if dataset.role not in roles:
        raise InvalidInput(
            f"The dataset “{dataset.name}” has the role {dataset.role}; {field} needs "
            f"{' or '.join(roles)}.",
            field=field,
        )
    if dataset.validation_status != ValidationStatus.VALID:
        reason = f" ({dataset.validation_error})" if dataset.validation_error else ""
        raise InvalidInput(
            f"The dataset “{dataset.name}” is {dataset.validation_status}{reason}; only a "
            "valid dataset can be evaluated.",
            field=field,
        )


def _columns_check(*, model_version: ModelVersion, dataset: Dataset, needs_target: bool) -> None:
    columns = set(dataset.columns or [])
    missing = [name for name in model_version.features or [] if name not in columns]
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise InvalidInput(
            f"The evaluation dataset “{dataset.name}” lacks the model's features: {shown}.",
            field="dataset",
        )
    if needs_target:
        if not dataset.target_column:
            raise InvalidInput(
                f"The plan's checks need labels, but the dataset “{dataset.name}” names no "
                "target column.",
                field="dataset",
            )
        if dataset.target_column not in columns:
            raise InvalidInput(
                f"The target column {dataset.target_column} is not in “{dataset.name}”.",
                field="dataset",
            )
    if model_version.artifact_format == ArtifactFormat.NONE:
        if not (dataset.prediction_column or dataset.probability_columns):
            raise InvalidInput(
                f"Model version {model_version.sequence} is predictions-only, but the dataset "
                f"“{dataset.name}” has no prediction or probability columns.",
                field="dataset",
            )
        if dataset.model_version_id not in (None, model_version.pk):
            raise InvalidInput(
                f"The predictions in “{dataset.name}” come from another model version.",
                field="dataset",
            )


def run_create(
    *,
    project: Project,
    user: User | None,
    test_plan: TestPlan,
    model_version: ModelVersion,
    dataset: Dataset,
    reference_dataset: Dataset | None = None,
    training_dataset: Dataset | None = None,
    triggered_by: str = Trigger.PAGE,
) -> EvaluationRun:
    """Queue a run of an approved plan on a model version and its datasets.

    Each refusal is an InvalidInput naming the problem; the task is sent once the
    transaction commits, so a worker never looks for a row that is not there yet.
    `user=None` is the system (a run queued on upload).
    """
    project_action_check(user=user, project_id=project.pk, action=Action.RUN_LAUNCH)
    if test_plan.project_id != project.pk:
        raise InvalidInput("The test plan belongs to another project.", field="test_plan")
    if test_plan.status != PlanStatus.APPROVED:
        raise InvalidInput(
            f"“{test_plan.name}” v{test_plan.version} is {test_plan.status}; only an approved "
            "plan can be run.",
            field="test_plan",
        )
    checks = plan_checks(test_plan)
    if not checks:
        raise InvalidInput("The test plan has no checks.", field="test_plan")
    plan_items(checks)  # a plan the engine would refuse is refused now
    if model_version.project_id != project.pk:
        raise InvalidInput("The model version belongs to another project.", field="model_version")
    _dataset_check(dataset, project=project, roles=EVALUATED_ROLES, field="dataset")
    _dataset_check(
        reference_dataset,
        project=project,
        roles=(DatasetRole.REFERENCE,),
        field="reference_dataset",
    )
    _dataset_check(
        training_dataset, project=project, roles=(DatasetRole.TRAIN,), field="training_dataset"
    )
    roles = plan_dataset_roles(checks)
    if DatasetRole.REFERENCE in roles and reference_dataset is None:
        raise InvalidInput(
            "The plan has checks that compare with reference data; choose a reference dataset.",
            field="reference_dataset",
        )
    if DatasetRole.TRAIN in roles and training_dataset is None:
        raise InvalidInput(
            "The plan has checks that read the training data; choose a training dataset.",
            field="training_dataset",
        )
    _columns_check(
        model_version=model_version, dataset=dataset, needs_target=labels_required(checks, dataset)
    )
    with transaction.atomic():
        run = EvaluationRun(
            project=project,
            test_plan=test_plan,
            model_version=model_version,
            dataset=dataset,
            reference_dataset=reference_dataset,
            training_dataset=training_dataset,
            triggered_by=triggered_by,
            created_by=user,
            status=RunStatus.QUEUED,
            queued_at=timezone.now(),
        )
        run.full_clean()
        run.save()
        run_status_record(run=run, from_status="", actor_id=user.pk if user else None)
        transaction.on_commit(partial(run_queue, run.pk))
    return run


@transaction.atomic
def run_cancel(*, run: EvaluationRun, user: User | None) -> EvaluationRun:
    """A queued run is cancelled at once; a running one is flagged, and its worker stops
    at its next step. A finished run is left as it is (a repeated cancel is harmless)."""
    project_action_check(user=user, project_id=run.project_id, action=Action.RUN_LAUNCH)
    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    actor_id = user.pk if user else None
    if run.status == RunStatus.QUEUED:
        run.status = RunStatus.CANCELLED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        run_status_record(run=run, from_status=RunStatus.QUEUED, actor_id=actor_id)
    elif run.status == RunStatus.RUNNING and not run.cancel_requested:
        run.cancel_requested = True
        run.save(update_fields=["cancel_requested"])
    return run
