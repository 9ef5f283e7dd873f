"""A production sample is monitored on arrival (services/batches.py)."""

import factory
import pytest

from apps.accounts.models import Notification
from apps.evaluations.models import EvaluationRun, RunStatus, Trigger
from apps.evaluations.services import run_claim, run_create, run_execute
from apps.monitoring.services.batches import (
    monitoring_on_dataset_validated,
    monitoring_run_on_sample,
)
from apps.projects.models import DatasetRole, ValidationStatus
from apps.projects.services import dataset_validate
from apps.testplans import services as plan_services
from apps.testplans.models import PlanStatus
from qualiti.errors import InvalidInput
from tests.evaluations.factories import csv_bytes
from tests.monitoring.factories import MonitoringSetup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)


def test_a_production_sample_gets_a_run_of_the_monitoring_plan():
    setup = MonitoringSetup()
    sample = setup.sample()

    run = monitoring_run_on_sample(dataset_id=sample.pk)

    assert (run.triggered_by, run.test_plan, run.model_version, run.dataset, run.created_by) == (
        Trigger.MONITORING,
        setup.plan,
        setup.model_version,
        sample,
        setup.qm,
    )


def test_the_validation_of_a_sample_queues_the_run_once_it_commits(
    django_capture_on_commit_callbacks,
):
    setup = MonitoringSetup()
    sample = setup.sample(validation_status=ValidationStatus.VALIDATING)

    with django_capture_on_commit_callbacks(execute=True):
        dataset_validate(dataset_id=sample.pk)

    run = EvaluationRun.objects.get()
    assert (run.dataset, run.triggered_by) == (sample, Trigger.MONITORING)


def test_a_sample_is_monitored_once_however_often_the_hook_is_called():
    setup = MonitoringSetup()
    sample = setup.sample()

    monitoring_on_dataset_validated(sample.pk)
    monitoring_on_dataset_validated(sample.pk)

    assert EvaluationRun.objects.filter(dataset=sample).count() == 1


def test_other_roles_and_unmonitored_projects_get_no_run():
    setup = MonitoringSetup(configured=False)
    sample = setup.sample()
    evaluation = MonitoringSetup().make_dataset(role=DatasetRole.EVALUATION)

    monitoring_on_dataset_validated(sample.pk)
    monitoring_on_dataset_validated(evaluation.pk)

    assert not EvaluationRun.objects.exists()
    assert not Notification.objects.exists()


def test_the_run_uses_the_plans_approved_version_of_the_day():
    setup = MonitoringSetup()

    draft = plan_services.test_plan_revise(plan=setup.plan, user=setup.qm)
    second = plan_services.test_plan_approve(plan=draft, user=setup.qm)

    run = monitoring_run_on_sample(dataset_id=setup.sample().pk)

    assert run.test_plan == second and second.version == 2


@pytest.mark.parametrize(
    ("break_it", "why"),
    [
        (lambda setup: setup.monitoring.__class__.objects.update(production_model_version=None),
         "names no production model version"),
        (lambda setup: setup.plan.__class__.objects.update(status=PlanStatus.ARCHIVED),
         "has no approved version"),
    ],
)  # fmt: skip
def test_a_sample_that_cannot_be_monitored_tells_its_uploader_why(break_it, why):
    setup = MonitoringSetup()
    break_it(setup)

    assert monitoring_run_on_sample(dataset_id=setup.sample().pk) is None

    assert not EvaluationRun.objects.exists()
    notice = Notification.objects.get(user=setup.qm, kind="run_not_started")
    assert "was not monitored" in notice.message and why in notice.message
    assert notice.link == f"/projects/{setup.project.slug}/monitoring/"


def test_an_invalid_sample_is_not_monitored_and_its_uploader_is_told():
    setup = MonitoringSetup()
    sample = setup.sample(
        validation_status=ValidationStatus.INVALID, validation_error="row 3 is broken"
    )

    assert monitoring_run_on_sample(dataset_id=sample.pk) is None

    notice = Notification.objects.get(user=setup.qm, kind="run_not_started")
    assert "the sample is invalid (row 3 is broken)" in notice.message


def test_a_plan_that_compares_needs_a_reference_dataset():
    setup = MonitoringSetup()
    setup.plan.checks.update(dataset_roles=["evaluation", "reference"])

    assert monitoring_run_on_sample(dataset_id=setup.sample().pk) is None
    assert "no valid reference dataset" in Notification.objects.get(user=setup.qm).message

    reference = setup.make_dataset(role=DatasetRole.REFERENCE)
    run = monitoring_run_on_sample(dataset_id=setup.sample().pk)
    assert run.reference_dataset == reference


def test_a_sample_without_labels_is_monitored_and_its_label_checks_skipped(monkeypatch):
    """Monitoring measures performance where labels exist: the plan's recall check reads
    labels, and a production sample that has none still gets its run."""
    setup = MonitoringSetup()
    lines = csv_bytes().decode().splitlines()
    header = lines[0].split(",")
    keep = [index for index, name in enumerate(header) if name != "repaid"]
    unlabelled = "\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n"
    sample = setup.sample(
        columns=[header[i] for i in keep],
        target_column="",
        file=factory.django.FileField(filename="week.csv", data=unlabelled.encode()),
    )

    run = monitoring_run_on_sample(dataset_id=sample.pk)
    run = run_execute(run=run_claim(run_id=run.pk))

    assert (run.status, run.error) == (RunStatus.SUCCEEDED, "")
    (result,) = run.results.all()
    assert (result.check_key, result.outcome) == ("performance.classification", "skipped")


def test_an_evaluation_dataset_without_labels_is_still_refused_for_a_label_check():
    setup = MonitoringSetup()
    unlabelled = setup.make_dataset(target_column="")

    with pytest.raises(InvalidInput, match="need labels"):
        run_create(
            project=setup.project, user=setup.qm, test_plan=setup.plan,
            model_version=setup.model_version, dataset=unlabelled,
        )  # fmt: skip
