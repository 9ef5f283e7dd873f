"""The run launch page: the form, its refusals shown inline, and the project's runs."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.evaluations.models import EvaluationRun, RunStatus, Trigger
from apps.projects.models import ValidationStatus
from apps.testplans import services as plan_services
from tests.evaluations.factories import EvaluationRunFactory, LaunchSetup
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return LaunchSetup()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def launch_url(setup) -> str:
    return reverse("run-launch", args=[setup.project.slug])


def launch(setup, user, **changes):
    body = setup.launch_body(**changes)
    body.pop("project")
    return client_of(user).post(launch_url(setup), body)


def test_the_url_is_the_reserved_one(setup):
    assert launch_url(setup) == f"/projects/{setup.project.slug}/runs/new/"


def test_the_form_offers_the_projects_plans_versions_and_data(setup, django_assert_max_num_queries):
    for _ in range(4):
        EvaluationRunFactory(project=setup.project, test_plan=setup.plan)
    client = client_of(setup.dev)

    with django_assert_max_num_queries(16):
        response = client.get(launch_url(setup))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{setup.plan.name} v{setup.plan.version}" in page
    assert setup.dataset.name in page
    for label in ("Test plan", "Model version", "Evaluation dataset", "Reference dataset"):
        assert f">{label}</label>" in page
    assert "Launch run" in page
    for run in EvaluationRun.objects.all():  # the project's runs, linked to their pages
        assert reverse("run-detail", args=[setup.project.slug, run.pk]) in page
    assert response.context["tab"] == "runs"
    assert not EvaluationRun.objects.filter(created_by=setup.dev).exists()  # GET changes nothing


def test_a_link_may_preselect_the_model_version(setup):
    other = ModelVersionFactory(project=setup.project)

    response = client_of(setup.qm).get(launch_url(setup), {"model_version": other.pk})

    assert f'<option value="{other.pk}" selected>' in response.content.decode()


def test_a_list_with_one_possible_answer_starts_on_it(setup):
    page = client_of(setup.qm).get(launch_url(setup)).content.decode()

    assert f'<option value="{setup.plan.pk}" selected>' in page
    assert f'<option value="{setup.dataset.pk}" selected>' in page
    assert f'<option value="{setup.model_version.pk}" selected>' in page


def test_a_list_with_several_answers_waits_for_a_choice(setup):
    ModelVersionFactory(project=setup.project)

    page = client_of(setup.qm).get(launch_url(setup)).content.decode()

    assert '<option value="" selected>Choose a model version</option>' in page


def test_a_developer_launches_a_queued_run_and_is_taken_to_it(setup):
    response = launch(setup, setup.dev)

    run = EvaluationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("run-detail", args=[setup.project.slug, run.pk])
    assert (run.status, run.triggered_by, run.created_by) == (
        RunStatus.QUEUED,
        Trigger.PAGE,
        setup.dev,
    )
    assert (run.test_plan, run.model_version, run.dataset) == (
        setup.plan,
        setup.model_version,
        setup.dataset,
    )
    assert f"Run {run.pk} queued" in str(next(iter(get_messages(response.wsgi_request))))


def test_a_dataset_still_validating_is_refused_inline(setup):
    validating = setup.make_dataset(name="fresh", validation_status=ValidationStatus.VALIDATING)

    response = launch(setup, setup.qm, dataset=validating.pk)

    assert response.status_code == 400
    [message] = response.context["form"].errors["dataset"]
    assert "only a valid dataset can be evaluated" in message
    assert "only a valid dataset can be evaluated" in response.content.decode()
    assert not EvaluationRun.objects.exists()


def test_an_invalid_dataset_is_not_offered(setup):
    broken = setup.make_dataset(name="broken", validation_status=ValidationStatus.INVALID)

    page = client_of(setup.qm).get(launch_url(setup)).content.decode()
    response = launch(setup, setup.qm, dataset=broken.pk)

    assert "broken" not in page and setup.dataset.name in page
    assert response.status_code == 400 and "dataset" in response.context["form"].errors
    assert not EvaluationRun.objects.exists()


def test_missing_feature_columns_are_refused_inline(setup):
    version = ModelVersionFactory(
        project=setup.project, artifact_format="none", features=["age", "postcode"]
    )

    response = launch(setup, setup.qm, model_version=version.pk)

    assert response.status_code == 400
    assert "lacks the model's features: postcode" in response.context["form"].errors["dataset"][0]
    assert not EvaluationRun.objects.exists()


def test_a_draft_plan_is_not_a_choice(setup):
    draft = plan_services.test_plan_revise(plan=setup.plan, user=setup.qm)

    response = launch(setup, setup.qm, test_plan=draft.pk)

    assert response.status_code == 400
    assert "test_plan" in response.context["form"].errors
    assert not EvaluationRun.objects.exists()


def test_an_object_of_another_project_is_not_a_choice(setup):
    other = LaunchSetup()

    response = launch(setup, setup.qm, dataset=other.dataset.pk)

    assert response.status_code == 400
    assert "dataset" in response.context["form"].errors
    assert not EvaluationRun.objects.exists()


def test_a_viewer_reads_the_runs_but_may_not_launch(setup):
    reading = client_of(setup.viewer).get(launch_url(setup))

    assert reading.status_code == 200
    assert "Launch run" not in reading.content.decode()
    assert launch(setup, setup.viewer).status_code == 403
    assert not EvaluationRun.objects.exists()


def test_the_page_is_404_for_an_outsider(setup):
    assert client_of(setup.outsider).get(launch_url(setup)).status_code == 404
    assert launch(setup, setup.outsider).status_code == 404
    assert not EvaluationRun.objects.exists()


def test_a_project_without_runs_says_so(setup):
    page = client_of(setup.qm).get(launch_url(setup)).content.decode()

    assert "No run yet." in page
