"""A production sample without labels is monitored by the catalogue's checks that need
none: performance estimated from the probabilities (PERF-08), drift of the inputs that
matter (DRIFT-08) and of the predictions (DRIFT-03), against the labelled reference."""

import factory
import pandas as pd
import pytest

from apps.criteria.models import CriterionTemplate
from apps.criteria.services import criterion_create_from_template, criterion_templates_sync
from apps.evaluations.models import RunStatus
from apps.evaluations.services import run_claim, run_execute
from apps.monitoring.services.batches import monitoring_run_on_sample
from apps.monitoring.services.settings import monitoring_settings_set
from apps.projects.models import ArtifactFormat, DatasetRole
from tests.engine.unlabelled import FEATURES, population, realised_accuracy, trained_model
from tests.evaluations.factories import approved_plan
from tests.monitoring.factories import MonitoringSetup
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db
CODES = ("PERF-08", "DRIFT-08", "DRIFT-03")


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    monkeypatch.setattr("apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: None)


def with_outputs(model, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the model's prediction and positive-class probability columns."""
    return frame.assign(
        prediction=model.predict(frame[FEATURES]),
        probability=model.predict_proba(frame[FEATURES])[:, 1],
    )


def csv_field(name: str, frame: pd.DataFrame):
    return factory.django.FileField(filename=name, data=frame.to_csv(index=False).encode())


def test_an_unlabelled_sample_gets_its_drop_estimated_and_the_labels_confirm_it():
    model = trained_model()
    setup = MonitoringSetup()
    criterion_templates_sync()
    criteria = [
        criterion_create_from_template(
            project=setup.project, template=CriterionTemplate.objects.get(code=code), user=setup.qm
        )
        for code in CODES
    ]
    plan = approved_plan(
        setup.project, criteria, user=setup.qm, roles=["evaluation", "reference"], name="Watch"
    )
    version = ModelVersionFactory(
        project=setup.project,
        artifact_format=ArtifactFormat.NONE,
        features=FEATURES,
        task_type="binary",
    )
    monitoring_settings_set(
        user=setup.qm, project=setup.project, production_model_version=version, plan_name=plan.name
    )
    reference = with_outputs(model, population(3000, 1))
    setup.make_dataset(
        role=DatasetRole.REFERENCE,
        model_version=version,
        columns=list(reference.columns),
        target_column="y",
        probability_columns=["probability"],
        file=csv_field("reference.csv", reference),
    )
    batch = with_outputs(model, population(2000, 2, x1_spread=0.4))  # towards the boundary
    unlabelled = batch.drop(columns="y")
    sample = setup.sample(
        model_version=version,
        columns=list(unlabelled.columns),
        target_column="",
        probability_columns=["probability"],
        file=csv_field("week.csv", unlabelled),
    )

    run = run_execute(run=run_claim(run_id=monitoring_run_on_sample(dataset_id=sample.pk).pk))

    assert (run.status, run.error) == (RunStatus.SUCCEEDED, "")
    results = {result.check_key: result for result in run.results.all()}
    assert {key: r.outcome for key, r in results.items()} == {
        "performance.estimated": "fail",
        "drift.important_inputs": "fail",
        "drift.prediction": "fail",
    }
    estimate = results["performance.estimated"]
    realised = realised_accuracy(model, batch)  # the labels arrive weeks later
    low, high, _ = estimate.evidence["realised_value_intervals"]["estimated_accuracy"]
    assert low <= realised <= high
    assert estimate.ci["low"] > 0  # the drop, beyond the label noise of both datasets
