"""Launching a run: everything checkable is refused before queueing, with a 400 naming it."""

import pytest
from django.db import transaction

from apps.accounts.models import ProjectRole
from apps.audit.models import StatusChange
from apps.evaluations.models import EvaluationRun, RunStatus
from apps.evaluations.services import run_cancel, run_create
from apps.projects.models import ArtifactFormat, DatasetRole
from apps.testplans import services as plan_services
from qualiti.errors import InvalidInput
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import LaunchSetup, approved_plan
from tests.projects.factories import DatasetFactory, ModelVersionFactory, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return LaunchSetup()


def post(setup, user, **changes):
    return client_for(user).post("/api/v1/runs/", setup.launch_body(**changes), format="json")


def test_a_developer_launches_a_run_it_is_queued_and_sent_on_commit(
    setup, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "apps.evaluations.tasks.evaluation_run_task.delay", lambda run_id: sent.append(run_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(setup, setup.dev)

    assert response.status_code == 201, response.json()
    run = EvaluationRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.triggered_by, run.created_by) == ("queued", "api", setup.dev)
    assert sent == [run.pk]
    assert StatusChange.objects.filter(run=run, to_status="queued").exists()


def test_a_viewer_may_not_launch(setup):
    assert post(setup, setup.viewer).status_code == 403


def refusal(setup, user=None, **changes) -> str:
    response = post(setup, user or setup.qm, **changes)
    assert response.status_code == 400, response.json()
    assert not EvaluationRun.objects.exists()
    body = response.json()
    return body.get("detail") or str(body)


def test_a_draft_plan_is_refused(setup):
    draft = plan_services.test_plan_revise(plan=setup.plan, user=setup.qm)
    assert "only an approved plan can be run" in refusal(setup, test_plan=draft.pk)


def test_a_plan_of_another_project_is_refused(setup):
    other = LaunchSetup()
    other_plan = approved_plan(other.project, [other.criterion], user=other.qm, name="Theirs")
    # The QM of this project does not see the other one: the id does not exist for them.
    assert "Invalid pk" in refusal(setup, test_plan=other_plan.pk)
    other.project.memberships.create(user=setup.qm, role=ProjectRole.QUALITY_MANAGER)
    assert "belongs to another project" in refusal(setup, test_plan=other_plan.pk)


def test_an_invalid_dataset_is_refused(setup):
    broken = setup.make_dataset(validation_status="invalid", validation_error="row 3 is ragged")
    assert "is invalid (row 3 is ragged)" in refusal(setup, dataset=broken.pk)


def test_a_dataset_still_validating_is_refused(setup):
    pending = setup.make_dataset(validation_status="validating")
    assert "is validating" in refusal(setup, dataset=pending.pk)


def test_a_training_dataset_is_not_an_evaluation_dataset(setup):
    train = setup.make_dataset(role=DatasetRole.TRAIN)
    assert "has the role train; dataset needs evaluation" in refusal(setup, dataset=train.pk)


def test_a_dataset_without_the_models_features_is_refused(setup):
    narrow = setup.make_dataset(columns=["age", "repaid", "prediction"])
    assert "lacks the model's features: income" in refusal(setup, dataset=narrow.pk)


def test_a_dataset_without_a_target_is_refused_when_checks_need_labels(setup):
    unlabelled = setup.make_dataset(target_column="")
    assert "need labels" in refusal(setup, dataset=unlabelled.pk)


@pytest.mark.parametrize(
    ("check_key", "category", "metric"),
    [
        ("weak_segments.discovery", "weak_segment", "worst_slice_metric_gap"),
        ("anomaly.residual_outliers", "anomaly", "residual_outlier_share"),
    ],
)
def test_a_plan_of_one_check_that_reads_labels_refuses_data_without_a_target(
    setup, check_key, category, metric
):
    criterion = CriterionFactory(
        project=setup.project, category=category, check_key=check_key, metric=metric,
        comparator="<=", threshold=0.1,
    )  # fmt: skip
    plan = approved_plan(setup.project, [criterion], user=setup.qm, name=check_key)
    unlabelled = setup.make_dataset(target_column="")

    with pytest.raises(InvalidInput, match="need labels"):
        run_create(
            project=setup.project, user=setup.qm, test_plan=plan,
            model_version=setup.model_version, dataset=unlabelled,
        )  # fmt: skip


def test_a_plan_of_checks_that_read_no_labels_runs_on_data_without_a_target(setup):
    constant = CriterionFactory(
        project=setup.project, category="data_quality", check_key="data_quality.constant_columns",
        metric="near_constant_column_count", comparator="<=", threshold=0,
    )  # fmt: skip
    plan = approved_plan(setup.project, [constant], user=setup.qm, name="Constant")
    unlabelled = setup.make_dataset(target_column="")

    response = post(setup, setup.qm, test_plan=plan.pk, dataset=unlabelled.pk)

    assert response.status_code == 201, response.json()


def test_a_predictions_only_model_needs_prediction_columns(setup):
    bare = setup.make_dataset(prediction_column="")
    assert "no prediction or probability columns" in refusal(setup, dataset=bare.pk)


def test_a_model_version_of_another_project_is_refused(setup):
    other = ModelVersionFactory(artifact_format=ArtifactFormat.NONE)
    other.project.memberships.create(user=setup.qm, role=ProjectRole.QUALITY_MANAGER)
    assert "model version belongs to another project" in refusal(setup, model_version=other.pk)


def test_a_plan_reading_reference_data_needs_a_reference_dataset(setup):
    drift = CriterionFactory(
        project=setup.project, code="DRIFT-9", category="drift", check_key="drift.columns",
        metric="effect_size", comparator="<=", threshold=0.2,
    )  # fmt: skip
    plan = approved_plan(
        setup.project, [drift], user=setup.qm, roles=["evaluation", "reference"], name="Drift"
    )
    assert "choose a reference dataset" in refusal(setup, test_plan=plan.pk)

    reference = setup.make_dataset(role=DatasetRole.REFERENCE)
    response = post(setup, setup.qm, test_plan=plan.pk, reference_dataset=reference.pk)
    assert response.status_code == 201, response.json()


def test_a_plan_reading_training_data_needs_a_training_dataset(setup):
    overlap = CriterionFactory(
        project=setup.project, code="DQ-12", category="data_quality",
        check_key="data_quality.train_eval_overlap", metric="overlap_share", comparator="<=",
        threshold=0.01,
    )  # fmt: skip
    plan = approved_plan(
        setup.project, [overlap], user=setup.qm, roles=["evaluation", "train"], name="Leak"
    )
    assert "choose a training dataset" in refusal(setup, test_plan=plan.pk)
    evaluation_as_train = setup.make_dataset()
    assert "has the role evaluation; training_dataset needs train" in refusal(
        setup, test_plan=plan.pk, training_dataset=evaluation_as_train.pk
    )


def test_cancelling_a_queued_run_cancels_it_at_once(setup):
    with transaction.atomic():
        run = post(setup, setup.dev).json()
    response = client_for(setup.dev).post(f"/api/v1/runs/{run['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert StatusChange.objects.filter(run_id=run["id"], to_status="cancelled").exists()


def test_cancelling_a_running_run_flags_it_for_its_worker(setup):
    run = EvaluationRun.objects.get(pk=post(setup, setup.dev).json()["id"])
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)

    run = run_cancel(run=run, user=setup.dev)

    assert (run.status, run.cancel_requested) == ("running", True)


def test_the_dataset_of_another_project_is_refused_even_when_visible(setup):
    foreign = DatasetFactory(columns=["age", "income", "repaid", "prediction"])
    foreign.project.memberships.create(user=setup.qm, role=ProjectRole.QUALITY_MANAGER)
    assert "belongs to another project" in refusal(setup, dataset=foreign.pk)


@pytest.mark.parametrize(
    ("params", "needs_labels"),
    [({"columns": "features"}, False), ({"columns": "all"}, True), ({"columns": "target"}, True)],
)
def test_whether_missing_values_reads_labels_follows_its_columns(setup, params, needs_labels):
    criterion = CriterionFactory(
        project=setup.project, category="data_quality", check_key="data_quality.missing_values",
        metric="missing_rate", comparator="<=", threshold=0.05, params=params,
    )  # fmt: skip
    plan = approved_plan(setup.project, [criterion], user=setup.qm, name="Missing")
    unlabelled = setup.make_dataset(target_column="")

    response = post(setup, setup.qm, test_plan=plan.pk, dataset=unlabelled.pk)

    assert response.status_code == (400 if needs_labels else 201), response.json()
