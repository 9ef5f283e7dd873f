"""A production sample is monitored on arrival: once its validation commits, a run of the
project's monitoring plan is queued against it, with no one clicking. The hook is
registered in apps.py; the projects app never imports this one."""

import logging

from apps.evaluations.models import EvaluationRun, Trigger
from apps.monitoring.models import ProjectMonitoring
from apps.monitoring.services.runs import monitoring_run_create
from apps.projects.models import Dataset, DatasetRole, ValidationStatus
from qualiti.errors import QualitiError
from qualiti.events import Event, event_publish

logger = logging.getLogger(__name__)


def monitoring_on_dataset_validated(dataset_id: int) -> None:
    """After each dataset's validation: a production sample of a monitored project gets
    its run (see `monitoring_run_on_sample`)."""
    if Dataset.objects.filter(
        pk=dataset_id,
        role=DatasetRole.PRODUCTION_SAMPLE,
        project__monitoring__plan_name__gt="",
    ).exists():
        monitoring_run_on_sample(dataset_id=dataset_id)


def monitoring_run_on_sample(*, dataset_id: int) -> EvaluationRun | None:
    """Queue a run of the monitoring plan's approved version on the production sample.
    When it cannot start (an invalid sample, no production model version, no approved
    plan, no reference data, a refusal of the launch itself), the uploader is told why
    and nothing is queued. A sample already monitored gets no second run."""
    sample = Dataset.objects.select_related("project", "uploaded_by").get(pk=dataset_id)
    project = sample.project
    monitoring = ProjectMonitoring.objects.filter(project=project).first()
    if monitoring is None or not monitoring.plan_name:
        return None
    if EvaluationRun.objects.filter(dataset=sample, triggered_by=Trigger.MONITORING).exists():
        return None  # a repeated hook (a validation task delivered twice)
    run, why = None, None
    if sample.validation_status != ValidationStatus.VALID:
        why = f"the sample is {sample.validation_status}"
        if sample.validation_error:
            why += f" ({sample.validation_error})"
    else:
        try:
            run = monitoring_run_create(
                monitoring=monitoring,
                plan_name=monitoring.plan_name,
                sample=sample,
                user=sample.uploaded_by,
                triggered_by=Trigger.MONITORING,
            )
        except QualitiError as error:  # refused as a launch by hand would be: say why
            why = error.message
    if why is not None:
        logger.info("Production sample %s not monitored: %s", dataset_id, why)
        if sample.uploaded_by is not None:
            event_publish(
                Event(
                    "run.not_started",
                    project,
                    sample,
                    data={
                        "uploader": sample.uploaded_by,
                        "why": why,
                        "what": f"The production sample “{sample.name}” of {project.name} "
                        "was not monitored",
                        "link": f"/projects/{project.slug}/monitoring/",
                    },
                )
            )
    return run
