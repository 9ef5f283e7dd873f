"""The run page is a hub: its header says who launched the run and how, when, how long it
took, on what (each a link) and its attempts; every failed check links to its finding; a
Cancel button while the run works, for who may cancel it; the project's tabs stay."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.evaluations.models import EvaluationRun, RunStatus, Trigger
from apps.findings.selectors import findings_of_failed_results
from apps.findings.services.sync import finding_fingerprint
from apps.projects.models import DatasetRole
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import DatasetFactory, ModelVersionFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(run, name="run-detail"):
    return reverse(name, args=[run.project.slug, run.pk])


def page(user, run) -> str:
    response = client_for(user).get(url(run))
    assert response.status_code == 200
    return response.content.decode()


def finished(cast, **fields) -> EvaluationRun:
    started = timezone.now() - datetime.timedelta(minutes=5)
    values = {
        "project": cast.project,
        "status": RunStatus.SUCCEEDED,
        "verdict": "fail",
        "progress": 100,
        "attempt": 1,
        "started_at": started,
        "finished_at": started + datetime.timedelta(seconds=125),
        "summary": {"pass": 0, "fail": 1, "error": 0, "skipped": 0, "blocking_failures": 0},
    }
    values.update(fields)
    return EvaluationRunFactory(**values)


@pytest.mark.parametrize(
    ("trigger", "launcher", "words"),
    [
        (Trigger.PAGE, "qm", "Launched by {user} from the page"),
        (Trigger.API, "dev", "Launched by {user} through the API"),
        (Trigger.UPLOAD, "dev", "Started by the upload of v{sequence} by {user}"),
        (Trigger.SCHEDULE, None, "Started by the schedule"),
        (
            Trigger.MONITORING,
            "qm",
            "Started by the production sample “{dataset}” uploaded by {user}",
        ),
        (Trigger.PAGE, None, "Launched from the page by a user since removed"),
    ],
)
def test_the_header_says_who_launched_the_run_and_how(trigger, launcher, words):
    cast = ProjectCast()
    user = getattr(cast, launcher) if launcher else None
    run = finished(cast, triggered_by=trigger, created_by=user)

    html = page(cast.viewer, run)

    expected = words.format(
        user=user.username if user else "",
        sequence=run.model_version.sequence,
        dataset=run.dataset.name,
    )
    assert f"{expected}, <time" in html


def test_the_header_links_the_model_version_plan_and_each_dataset():
    cast = ProjectCast()
    slug = cast.project.slug
    version = ModelVersionFactory(project=cast.project, label="gradient boosting")
    reference = DatasetFactory(project=cast.project, role=DatasetRole.REFERENCE, name="ref 2024")
    training = DatasetFactory(project=cast.project, role=DatasetRole.TRAIN, name="train 2024")
    run = finished(
        cast, model_version=version, reference_dataset=reference, training_dataset=training
    )

    html = page(cast.viewer, run)

    links = {
        reverse("model-version-page", args=[slug, version.pk]): (
            f"v{version.sequence} gradient boosting"
        ),
        reverse("plan-detail", args=[slug, run.test_plan_id]): f"Gate v{run.test_plan.version}",
        reverse("dataset-page", args=[slug, run.dataset_id]): run.dataset.name,
        reverse("dataset-page", args=[slug, reference.pk]): "ref 2024",
        reverse("dataset-page", args=[slug, training.pk]): "train 2024",
    }
    for href, text in links.items():
        assert f'<a href="{href}">{text}</a>' in html
    for label in ("Evaluation data", "Reference data", "Training data"):
        assert f"<dt>{label}</dt>" in html


def test_the_header_says_when_how_long_and_which_attempt():
    cast = ProjectCast()
    run = finished(cast, attempt=2)
    local = timezone.localtime(run.created_at)

    html = page(cast.viewer, run)

    assert f'<time datetime="{local.isoformat()}">{local:%-d %b %Y %H:%M}</time>' in html
    assert "Took 2 min 5 s" in html
    assert "2 of at most 2 (a worker was lost before)" in html


def test_a_working_run_says_how_long_it_has_been_waiting_or_running():
    cast = ProjectCast()
    queued = EvaluationRunFactory(project=cast.project)
    EvaluationRun.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=90)
    )
    running = EvaluationRunFactory(
        project=cast.project,
        status=RunStatus.RUNNING,
        attempt=1,
        started_at=timezone.now() - datetime.timedelta(hours=1, minutes=3),
    )

    assert re.search(r"Waiting for a worker for 1 min 3\d s", page(cast.viewer, queued))
    assert "none yet (at most 2)" in page(cast.viewer, queued)
    running_page = page(cast.viewer, running)
    assert "Running for 1 h 3 min" in running_page and "1 of at most 2" in running_page


def test_the_project_tabs_stay_on_the_run_page_with_runs_current():
    cast = ProjectCast()
    run = finished(cast)

    html = page(cast.viewer, run)

    assert '<nav class="project-nav" aria-label="Project">' in html
    runs_tab = reverse("run-launch", args=[cast.project.slug])
    assert f'<a href="{runs_tab}" aria-current="page">Runs</a>' in html


CANCEL = "Cancel this run</button>"


@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
@pytest.mark.parametrize(
    ("role", "sees"),
    [("qm", True), ("dev", True), ("admin", True), ("viewer", False), ("manager", False)],
)
def test_the_cancel_button_shows_while_the_run_works_for_who_may_cancel(status, role, sees):
    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project, status=status)

    html = page(getattr(cast, role), run)

    assert (CANCEL in html) is sees
    if sees:
        assert f'<form method="post" action="{url(run, "run-cancel")}">' in html


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED])
def test_a_run_that_is_over_has_no_cancel_button(status):
    cast = ProjectCast()
    run = finished(cast, status=status)

    assert CANCEL not in page(cast.qm, run)


def test_a_running_run_whose_cancel_is_pending_says_so_instead_of_a_button():
    cast = ProjectCast()
    run = EvaluationRunFactory(
        project=cast.project, status=RunStatus.RUNNING, cancel_requested=True
    )

    html = page(cast.qm, run)

    assert CANCEL not in html
    assert "Requested: the worker stops at its next step." in html


def test_cancelling_a_queued_run_from_its_page_cancels_it_at_once():
    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project)
    client = client_for(cast.dev)

    response = client.post(url(run, "run-cancel"), follow=True)

    assert response.redirect_chain == [(url(run), 302)]
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.finished_at is not None
    html = response.content.decode()
    assert f"Run {run.pk} is cancelled." in html and CANCEL not in html


def test_cancelling_a_running_run_asks_its_worker_to_stop():
    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.RUNNING)

    response = client_for(cast.qm).post(url(run, "run-cancel"), follow=True)

    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.cancel_requested
    assert f"Run {run.pk} stops at its next step." in response.content.decode()


def test_cancel_is_refused_to_a_viewer_hidden_from_an_outsider_and_needs_a_post():
    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project)

    assert client_for(cast.viewer).post(url(run, "run-cancel")).status_code == 403
    assert client_for(cast.manager).post(url(run, "run-cancel")).status_code == 403
    assert client_for(cast.outsider).post(url(run, "run-cancel")).status_code == 404
    assert client_for(cast.qm).get(url(run, "run-cancel")).status_code == 405
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and not run.cancel_requested


def _finding_for(result, **fields):
    return FindingFactory(
        project=result.run.project,
        fingerprint=finding_fingerprint(
            project_id=result.run.project_id,
            criterion_id=result.criterion_id,
            check_key=result.check_key,
            subject=result.subject,
        ),
        check_key=result.check_key,
        subject=result.subject,
        criterion=result.criterion,
        **fields,
    )


def test_every_failed_check_links_to_its_finding():
    cast = ProjectCast()
    run = finished(cast)
    criterion = CriterionFactory(project=cast.project, code="FAIR-01")
    failed = CheckResultFactory(
        run=run, criterion=criterion, check_key="fairness.classification",
        category="fairness", subject="sex",
    )  # fmt: skip
    unsynced = CheckResultFactory(run=run, subject="income")  # no finding (yet)
    passed = CheckResultFactory(run=run, subject="age", outcome="pass")
    finding = _finding_for(failed, title="FAIR-01 fails on sex")
    _finding_for(passed)  # a finding the run's pass does not link
    other = ProjectCast()  # the same check failing elsewhere is another project's finding
    _finding_for(CheckResultFactory(run=finished(other), subject="income"))

    response = client_for(cast.dev).get(url(run))

    rows = {result.pk: found for result, found in response.context["checks"]}
    assert rows == {failed.pk: finding, unsynced.pk: None, passed.pk: None}
    html = response.content.decode()
    link = reverse("finding-detail", args=[finding.pk])
    assert (
        f'<a href="{link}" aria-label="Finding {finding.pk}, open: FAIR-01 fails on sex">'
        f"Finding {finding.pk}</a>"
    ) in html


def test_the_failed_checks_find_their_findings_in_one_query(django_assert_num_queries):
    cast = ProjectCast()
    run = finished(cast)
    results = [CheckResultFactory(run=run, subject=f"column {n}") for n in range(25)]
    for result in results[::2]:
        _finding_for(result)

    with django_assert_num_queries(1):
        found = findings_of_failed_results(run=run, results=results)

    assert sorted(found) == sorted(result.pk for result in results[::2])
