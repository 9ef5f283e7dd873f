"""/api/v1/projects/{slug}/monitoring/: a delivery pipeline names the model version it
released (who may do what is in tests/api/role_table.py)."""

import pytest

from apps.monitoring.models import ProjectMonitoring
from apps.projects.models import DatasetRole
from tests.monitoring.factories import MonitoringSetup
from tests.projects.factories import ModelVersionFactory, ProjectFactory, client_for

pytestmark = pytest.mark.django_db


def url(setup) -> str:
    return f"/api/v1/projects/{setup.project.slug}/monitoring/"


def test_a_project_that_never_set_its_monitoring_reads_as_empty():
    setup = MonitoringSetup(configured=False)

    body = client_for(setup.qm).get(url(setup)).json()

    assert body == {
        "project": setup.project.slug,
        "production_model_version": None,
        "plan_name": "",
        "reference_dataset": None,
        "updated_by": None,
        "updated_at": None,
    }


def test_the_pipeline_names_the_released_version_and_the_rest_stays():
    setup = MonitoringSetup()
    released = ModelVersionFactory(project=setup.project, sequence=7)
    reference = setup.make_dataset(role=DatasetRole.REFERENCE, uploaded_by=setup.qm)

    answer = client_for(setup.qm).patch(
        url(setup),
        {"production_model_version": released.pk, "reference_dataset": reference.pk},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    stored = ProjectMonitoring.objects.get(project=setup.project)
    assert (stored.production_model_version, stored.plan_name) == (released, setup.plan.name)
    assert stored.reference_dataset == reference
    assert answer.json()["production_model_version"] == released.pk
    assert answer.json()["updated_by"] == setup.qm.username


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"plan_name": "No such plan"}, "plan_name", "no test plan"),
        ({"production_model_version": 10**9}, "production_model_version", "does not exist"),
        ({"reference_dataset": "x"}, "reference_dataset", "Incorrect type"),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_change_nothing(change, field, words):
    setup = MonitoringSetup()
    before = ProjectMonitoring.objects.values().get(project=setup.project)

    answer = client_for(setup.qm).patch(url(setup), change, format="json")

    assert answer.status_code == 400
    error = answer.json()  # a service's refusal names its field; a serializer's is keyed by it
    assert words in str(error.get(field) or error["detail"])
    assert error.get("field", field) == field
    assert ProjectMonitoring.objects.values().get(project=setup.project) == before


def test_another_projects_model_version_answers_as_one_that_does_not_exist():
    setup = MonitoringSetup()
    elsewhere = ModelVersionFactory(project=ProjectFactory(), sequence=1)

    answer = client_for(setup.qm).patch(
        url(setup), {"production_model_version": elsewhere.pk}, format="json"
    )

    assert answer.status_code == 400
    assert "does not exist" in str(answer.json()["production_model_version"])
