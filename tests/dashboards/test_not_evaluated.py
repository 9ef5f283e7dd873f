"""A project with nothing evaluated is not green: it is "Not evaluated yet" (grey, in
words, with what it lacks and links for who may act), on the portfolio and the overview,
and management's counts keep it apart."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.dashboards.selectors.portfolio import portfolio_statuses, status_level
from apps.evaluations.models import RunStatus
from apps.projects.models import DatasetRole, ValidationStatus
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import EvaluationRunFactory, approved_plan
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import DatasetFactory, ModelVersionFactory

pytestmark = pytest.mark.django_db

NONE = {"critical": 0, "high": 0, "medium": 0, "low": 0}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status_of(cast: ProjectCast, user=None):
    (row,) = [
        row for row in portfolio_statuses(user=user or cast.qm) if row.project == cast.project
    ]
    return row


def missing(cast: ProjectCast) -> list[str]:
    return [step.key for step in status_of(cast).missing]


def succeeded_run(project, **fields):
    return EvaluationRunFactory(
        project=project, status=RunStatus.SUCCEEDED, verdict="pass", finished_at=timezone.now(),
        summary={"pass": 3, "fail": 0, "error": 0, "skipped": 0, "blocking_failures": 0},
        **fields,
    )  # fmt: skip


def test_a_project_not_evaluated_is_grey_not_green():
    level, reasons = status_level(
        blocking_failures=0, overdue_critical=0, open_by_severity=dict(NONE),
        overdue_findings=0, overdue_actions=0, not_evaluated=["criteria", "a finished run"],
    )  # fmt: skip
    assert level == "grey"
    assert reasons == ["missing criteria, a finished run"]


def test_findings_raised_by_hand_still_make_a_not_evaluated_project_amber():
    level, reasons = status_level(
        blocking_failures=0, overdue_critical=0, open_by_severity={**NONE, "high": 1},
        overdue_findings=0, overdue_actions=0, not_evaluated=["a finished run"],
    )  # fmt: skip
    assert level == "amber"
    assert reasons == ["1 open high finding", "not evaluated yet: missing a finished run"]


def test_each_missing_step_is_named_until_a_run_succeeds():
    cast = ProjectCast()
    assert missing(cast) == ["criteria", "plan", "model_version", "evaluation_data", "run"]
    assert status_of(cast).level == "grey"
    assert status_of(cast).label == "Not evaluated yet"

    criterion = CriterionFactory(project=cast.project)
    assert missing(cast) == ["plan", "model_version", "evaluation_data", "run"]

    approved_plan(cast.project, [criterion], user=cast.qm)
    assert missing(cast) == ["model_version", "evaluation_data", "run"]

    version = ModelVersionFactory(project=cast.project)
    assert missing(cast) == ["evaluation_data", "run"]

    DatasetFactory(project=cast.project, role=DatasetRole.TRAIN)  # not evaluation data
    DatasetFactory(project=cast.project, validation_status=ValidationStatus.INVALID)
    assert missing(cast) == ["evaluation_data", "run"]
    dataset = DatasetFactory(project=cast.project, role=DatasetRole.EVALUATION)
    assert missing(cast) == ["run"]
    assert status_of(cast).level == "grey"

    run = EvaluationRunFactory(project=cast.project, model_version=version, dataset=dataset)
    (step,) = status_of(cast).missing
    assert step.missing == "a finished run (one is queued or running)"
    run.status = RunStatus.FAILED
    run.save()
    (step,) = status_of(cast).missing
    assert "every run so far failed or was cancelled" in step.missing
    assert status_of(cast).level == "grey"

    succeeded_run(cast.project, model_version=version, dataset=dataset)
    row = status_of(cast)
    assert row.missing == [] and row.evaluated
    assert row.level == "green"


def test_the_portfolio_counts_not_evaluated_projects_apart_and_lists_them_after_the_risky():
    new, evaluated, risky = ProjectCast(), ProjectCast(), ProjectCast()
    succeeded_run(evaluated.project)
    FindingFactory(project=risky.project, severity="high")  # amber, though never evaluated
    admin = new.admin

    response = client_for(admin).get(reverse("home"))

    levels = response.context["levels"]
    shown = {row.project.pk: row for row in response.context["page"]}
    assert shown[new.project.pk].level == "grey"
    assert shown[evaluated.project.pk].level == "green"
    assert shown[risky.project.pk].level == "amber"
    # Three casts bring three outsiders' projects too, none of them evaluated.
    assert levels == {"red": 0, "amber": 1, "grey": 4, "green": 1}
    assert response.context["not_evaluated"] == 5  # the amber one too: it has no run
    order = [row.project.pk for row in response.context["page"]]
    assert order.index(risky.project.pk) < order.index(new.project.pk)
    assert order.index(new.project.pk) < order.index(evaluated.project.pk)
    html = response.content.decode()
    assert "not evaluated yet (grey)" in html
    grey_count = '<span aria-hidden="true">○</span> 4</span><span class="label">not evaluated yet'
    assert grey_count in html
    assert "the 5 projects not evaluated yet are not in it" in html


def test_a_new_project_on_the_portfolio_says_not_evaluated_yet_in_words_and_icon():
    cast = ProjectCast()

    html = client_for(cast.viewer).get(reverse("home")).content.decode()

    status = re.search(r'<span class="status status-grey"[^>]*>(.*?)</span> (.*?)</span>', html)
    assert status is not None
    assert status.group(1) == '<span aria-hidden="true">○'
    assert status.group(2) == "Not evaluated yet"
    assert "status-green" not in html.split("<tbody>")[1]
    assert "missing criteria, an approved test plan, a model version" in html


@pytest.mark.parametrize(
    ("role", "link", "page"),
    [
        ("qm", "Define criteria", "criteria-list"),
        ("dev", "Upload a model version", "uploads"),
        ("viewer", None, None),
    ],
)
def test_the_portfolio_links_the_first_step_the_user_may_take(role, link, page):
    cast = ProjectCast()

    html = client_for(getattr(cast, role)).get(reverse("home")).content.decode()

    if link is None:
        assert 'class="next-action"' not in html
    else:
        url = reverse(page, args=[cast.project.slug])
        assert (
            f'<a class="next-action" href="{url}" aria-label="{link} for {cast.project.name}">'
            f"{link}</a>" in html
        )


def test_the_portfolio_filters_the_not_evaluated_projects():
    new, evaluated = ProjectCast(), ProjectCast()
    succeeded_run(evaluated.project)

    response = client_for(new.admin).get(reverse("home"), {"status": "grey"})

    shown = [row.project for row in response.context["page"]]
    assert new.project in shown and evaluated.project not in shown


def test_the_overview_of_a_new_project_says_what_is_missing_with_links_for_who_may_act():
    cast = ProjectCast()
    url = reverse("project-overview", args=[cast.project.slug])
    slug = cast.project.slug

    html = client_for(cast.qm).get(url).content.decode()

    header = html.split('<div class="page-header">')[1].split("</div>")[0]
    assert "status-grey" in header and "Not evaluated yet" in header
    assert "status-green" not in header and "On track" not in header
    assert "Not evaluated yet: what is missing" in html
    for name, words in [
        ("criteria-list", "Define criteria"),
        ("plan-list", "Approve a test plan"),
        ("uploads", "Upload a model version"),
        ("uploads", "Upload evaluation data"),
        ("run-launch", "Launch a run"),
    ]:
        assert f'<a href="{reverse(name, args=[slug])}">{words}</a>' in html

    developer = client_for(cast.dev).get(url).content.decode()
    assert "Define criteria</a>" not in developer and "Approve a test plan</a>" not in developer
    assert "Upload a model version</a>" in developer and "Launch a run</a>" in developer
    assert 'Criteria: <span class="muted">missing (not something your role does)' in developer

    viewer = client_for(cast.viewer).get(url).content.decode()
    section = viewer.split('id="next-steps-heading"')[1].split("</section>")[0]
    assert "<a " not in section


def test_an_evaluated_project_overview_has_no_missing_steps():
    cast = ProjectCast()
    succeeded_run(cast.project)

    response = client_for(cast.qm).get(reverse("project-overview", args=[cast.project.slug]))

    assert response.context["status"].level == "green"
    assert "Not evaluated yet" not in response.content.decode()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_grey_status_has_dark_text_on_light_grey_with_enough_contrast():
    css = Path(settings.BASE_DIR, "static/css/dashboards.css").read_text()
    rule = re.search(r"\.status-grey \{([^}]*)\}", css).group(1)
    text = re.search(r"(?<!-)color: (#[0-9a-f]{6})", rule).group(1)
    background = re.search(r"background: (#[0-9a-f]{6})", rule).group(1)
    lighter, darker = sorted([_luminance(text), _luminance(background)], reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5
    assert _luminance(background) > _luminance(text)  # dark text on a light background


def test_a_new_projects_checklist_ticks_each_step_once_it_is_done():
    cast = ProjectCast()
    url = reverse("project-overview", args=[cast.project.slug])
    CriterionFactory(project=cast.project)
    ModelVersionFactory(project=cast.project)

    html = client_for(cast.qm).get(url).content.decode()

    section = html.split('id="next-steps-heading"')[1].split("</section>")[0]
    done = [item.split("</span>", 2)[-1].strip() for item in section.split('<li class="done">')[1:]]
    assert [text.split("<")[0].strip() for text in done] == ["Criteria", "A model version"]
    assert section.count('<li class="todo">') == 3
    assert "Approve a test plan</a>" in section and "Define criteria</a>" not in section
