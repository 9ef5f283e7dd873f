"""/api/v1/monitoring-schedules/: the schedules for pipelines and scripts (who may do what
is in tests/api/role_table.py)."""

import pytest
from django_celery_beat.models import PeriodicTask

from apps.monitoring.models import MonitoringSchedule
from apps.monitoring.services.schedules import SCHEDULED_RUN_TASK
from tests.monitoring.factories import MonitoringSetup
from tests.projects.factories import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring-schedules/"


def body(setup, **changes) -> dict:
    values = {"project": setup.project.slug, "plan_name": setup.plan.name, "day_of_week": "1",
              "time": "06:00"}  # fmt: skip
    values.update(changes)
    return values


def test_the_quality_manager_schedules_changes_and_deletes_through_the_api():
    setup = MonitoringSetup()
    client = client_for(setup.qm)

    created = client.post(URL, body(setup), format="json")

    assert created.status_code == 201, created.json()
    schedule = created.json()
    assert (schedule["when"], schedule["enabled"], schedule["project"]) == (
        "Mondays 06:00",
        True,
        setup.project.slug,
    )
    assert schedule["next_run_at"].endswith("T06:00:00+00:00")
    changed = client.patch(f"{URL}{schedule['id']}/", {"time": "07:30"}, format="json")
    assert changed.json()["when"] == "Mondays 07:30"
    task = PeriodicTask.objects.get(task=SCHEDULED_RUN_TASK)
    assert (task.crontab.hour, task.crontab.minute) == ("7", "30")
    listed = client_for(setup.viewer).get(f"{URL}?project={setup.project.slug}").json()
    assert [item["id"] for item in listed["results"]] == [schedule["id"]]

    assert client.delete(f"{URL}{schedule['id']}/").status_code == 204
    assert not PeriodicTask.objects.filter(task=SCHEDULED_RUN_TASK).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time": "25:00"}, "time"),
        ({"day_of_week": "Mondays"}, "day_of_week"),
        ({"plan_name": "No such plan"}, "plan_name"),
        ({"project": ""}, "project"),
    ],
)
def test_bad_input_is_refused_with_400_naming_the_field(changes, field):
    setup = MonitoringSetup()

    response = client_for(setup.qm).post(URL, body(setup, **changes), format="json")

    assert response.status_code == 400
    answer = response.json()
    assert field in answer or answer.get("field") == field, answer
    assert not MonitoringSchedule.objects.exists()
