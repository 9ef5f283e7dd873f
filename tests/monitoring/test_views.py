"""The Monitoring tab, its settings and schedules pages, by role."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.evaluations.models import RunStatus
from apps.monitoring.models import MonitoringSchedule, ProjectMonitoring
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.monitoring.factories import MonitoringSetup

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(setup, name: str, *args) -> str:
    return reverse(name, args=[setup.project.slug, *args])


def test_everyone_who_sees_the_project_sees_the_tab_and_others_get_404():
    setup = MonitoringSetup(configured=False)

    for user in (setup.qm, setup.dev, setup.viewer, setup.manager, setup.admin):
        page = client_of(user).get(url(setup, "monitoring"))
        assert page.status_code == 200, user
        assert "Nothing is monitored on arrival yet" in page.content.decode()
    assert client_of(setup.outsider).get(url(setup, "monitoring")).status_code == 404
    for name in ("monitoring-settings", "monitoring-schedules"):
        assert client_of(setup.outsider).get(url(setup, name)).status_code == 404


def test_the_tab_links_settings_and_schedules_by_role():
    setup = MonitoringSetup()

    for_qm = client_of(setup.qm).get(url(setup, "monitoring")).content.decode()
    for_dev = client_of(setup.dev).get(url(setup, "monitoring")).content.decode()

    assert "Change the monitoring settings" in for_qm and "Change the monitoring" not in for_dev
    assert f"checked with the approved version of <strong>{setup.plan.name}</strong>" in for_dev
    assert 'aria-current="page">Monitoring</a>' in for_dev


def test_the_quality_manager_names_the_production_version_and_the_plan():
    setup = MonitoringSetup(configured=False)
    client = client_of(setup.qm)
    assert client.get(url(setup, "monitoring-settings")).status_code == 200

    response = client.post(
        url(setup, "monitoring-settings"),
        {"production_model_version": setup.model_version.pk, "plan_name": setup.plan.name},
    )

    assert response.status_code == 302
    monitoring = ProjectMonitoring.objects.get(project=setup.project)
    assert (monitoring.production_model_version, monitoring.plan_name) == (
        setup.model_version,
        setup.plan.name,
    )


def test_others_may_not_change_the_settings():
    setup = MonitoringSetup(configured=False)

    for user in (setup.dev, setup.viewer, setup.manager):
        client = client_of(user)
        assert client.get(url(setup, "monitoring-settings")).status_code == 403
        assert client.post(url(setup, "monitoring-settings"), {}).status_code == 403
    assert not ProjectMonitoring.objects.exists()


def test_an_unknown_plan_is_refused_with_400_on_the_form():
    setup = MonitoringSetup(configured=False)

    response = client_of(setup.qm).post(
        url(setup, "monitoring-settings"), {"plan_name": "No such plan"}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_quality_manager_adds_changes_and_deletes_a_schedule():
    setup = MonitoringSetup()
    client = client_of(setup.qm)
    assert 'name="time"' in client.get(url(setup, "monitoring-schedules")).content.decode()

    response = client.post(
        url(setup, "monitoring-schedules"),
        {"plan_name": setup.plan.name, "day_of_week": "1", "time": "06:00", "enabled": "on"},
    )
    assert response.status_code == 302
    schedule = MonitoringSchedule.objects.get()
    page = client.get(url(setup, "monitoring-schedules")).content.decode()
    assert "Mondays 06:00" in page
    assert re.search(r"Monday \d+ \w+ \d{4} 06:00</time>", page)  # the next round

    response = client.post(
        url(setup, "monitoring-schedule-edit", schedule.pk),
        {"plan_name": setup.plan.name, "day_of_week": "*", "time": "07:15"},
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.when_words, schedule.enabled) == ("Every day 07:15", False)

    assert client.post(url(setup, "monitoring-schedule-delete", schedule.pk)).status_code == 302
    assert not MonitoringSchedule.objects.exists()


def test_a_bad_time_comes_back_with_its_error():
    setup = MonitoringSetup()

    response = client_of(setup.qm).post(
        url(setup, "monitoring-schedules"),
        {"plan_name": setup.plan.name, "day_of_week": "1", "time": "25:99"},
    )

    assert response.status_code == 400
    assert "Enter a time as hours and minutes" in response.content.decode()
    assert not MonitoringSchedule.objects.exists()


def test_viewers_read_the_schedules_and_may_not_change_them():
    setup = MonitoringSetup()
    client_of(setup.qm).post(
        url(setup, "monitoring-schedules"),
        {"plan_name": setup.plan.name, "day_of_week": "1", "time": "06:00", "enabled": "on"},
    )
    schedule = MonitoringSchedule.objects.get()

    for user in (setup.viewer, setup.dev, setup.manager):
        client = client_of(user)
        page = client.get(url(setup, "monitoring-schedules")).content.decode()
        assert "Mondays 06:00" in page and 'name="time"' not in page
        body = {"plan_name": setup.plan.name, "day_of_week": "2", "time": "08:00"}
        assert client.post(url(setup, "monitoring-schedules"), body).status_code == 403
        edit = url(setup, "monitoring-schedule-edit", schedule.pk)
        assert client.post(edit, body).status_code == 403
        delete = url(setup, "monitoring-schedule-delete", schedule.pk)
        assert client.post(delete).status_code == 403
    assert MonitoringSchedule.objects.count() == 1


def test_the_tab_lists_batches_with_their_runs_and_findings(django_assert_max_num_queries):
    setup = MonitoringSetup()
    samples = [setup.sample(name=f"Week {week}") for week in (1, 2)]
    for sample, recall in zip(samples, (0.8, 0.6), strict=True):
        run = EvaluationRunFactory(
            project=setup.project, test_plan=setup.plan, model_version=setup.model_version,
            dataset=sample, status=RunStatus.SUCCEEDED, verdict="pass",
        )  # fmt: skip
        CheckResultFactory(
            run=run, criterion=setup.criterion, metric="recall", observed={"recall": recall},
            threshold=0.72, comparator=">=", outcome="pass" if recall > 0.72 else "fail",
        )  # fmt: skip
    finding = setup.finding(title="Recall fell below 0.72", first_seen_run=run, last_seen_run=run)
    client = client_of(setup.viewer)

    with django_assert_max_num_queries(30):
        page = client.get(url(setup, "monitoring")).content.decode()

    assert "Week 1" in page and "Week 2" in page
    assert f'href="/findings/{finding.pk}/"' in page
    assert 'data-figure="metric-0"' in page and "1 failing point" in page
    assert "plotly-cartesian.min.js" in page and "cdn" not in page.lower()


def batches_with_results(setup, count: int) -> None:
    for week in range(count):
        sample = setup.sample(name=f"Batch {setup.project.datasets.count()}-{week}")
        run = EvaluationRunFactory(
            project=setup.project, test_plan=setup.plan, model_version=setup.model_version,
            dataset=sample, status=RunStatus.SUCCEEDED, verdict="fail",
        )  # fmt: skip
        CheckResultFactory(run=run, criterion=setup.criterion, threshold=0.72, comparator=">=")
        setup.finding(first_seen_run=run, last_seen_run=run)


def test_the_tab_reads_a_fixed_number_of_queries_whatever_the_history():
    setup = MonitoringSetup()
    client = client_of(setup.viewer)
    counts = []
    for more in (2, 5):
        batches_with_results(setup, more)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(setup, "monitoring")).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
