"""The guide: a page per check, from the registry and the catalogue, and a page per framework
requirement with the criteria giving evidence for it; signed-in users only."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from apps.criteria.models import CriterionTemplate
from apps.evaluations import engine
from apps.standards.models import Framework, Requirement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client


def check_url(key: str) -> str:
    return reverse("guide-check", args=[key])


def test_every_registered_check_has_a_page_with_its_name_what_fix_and_metrics(client):
    for key, check in engine.registered_checks().items():
        response = client.get(check_url(key))

        assert response.status_code == 200, key
        page = response.content.decode()
        assert f"<h1>{escape(check.name)}</h1>" in page
        assert f"<code>{key}</code>" in page
        assert escape(check.docs.what) in page
        assert escape(check.docs.fix) in page
        for metric in check.metrics:
            assert f'<code class="term-key">{metric}</code>' in page, (key, metric)
            assert escape(engine.metric_name(metric)) in page


def test_an_unknown_check_is_not_found(client):
    assert client.get(check_url("retired.check")).status_code == 404


def test_a_check_page_gathers_the_catalogues_guidance_references_and_requirements(client):
    template = CriterionTemplate.objects.get(code="FAIR-01")
    requirement = template.requirements.select_related("framework").first()

    page = client.get(check_url("fairness.classification")).content.decode()

    assert "When FAIR-01 fails." in page
    assert escape(template.guidance) in page
    assert "Hardt, Price, Srebro (2016), Equality of Opportunity in Supervised Learning" in page
    assert "US EEOC Uniform Guidelines" in page
    url = reverse(
        "guide-requirement", args=[requirement.framework.identifier, requirement.identifier]
    )
    assert f'href="{url}"' in page


def test_the_statistics_come_from_the_checks_parameters(client):
    page = client.get(check_url("performance.classification")).content.decode()
    assert "95% percentile bootstrap confidence interval, from 1000 resamples" in page

    page = client.get(check_url("drift.columns")).content.decode()
    assert "significance level of 0.05 (alpha)" in page

    page = client.get(check_url("data_quality.schema")).content.decode()
    assert "runs no statistical test" in page


def test_the_parameters_are_listed_with_their_defaults(client):
    page = client.get(check_url("fairness.classification")).content.decode()

    assert "<code>min_group_size</code>" in page
    assert "<td><code>30</code></td>" in page
    assert "One of sensitive or a list of names" in page


def test_a_check_page_draws_its_examples_as_accessible_figures(client):
    page = client.get(check_url("drift.columns")).content.decode()

    figures = json.loads(page.split('id="run-figures" type="application/json">')[1].split("<")[0])
    assert set(figures) == {"example-1", "example-2", "example-3"}
    for name, figure in figures.items():
        label = escape(f"{figure['layout']['title']['text']} (example with invented values)")
        assert f'data-figure="{name}" role="figure" aria-label="{label}"' in page
        assert f'id="{name}-reading"' in page


def test_a_check_page_reads_the_database_a_fixed_number_of_times(client):
    client.get(check_url("drift.columns"))  # the session and user, loaded once per request

    def queries(key: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(check_url(key)).status_code == 200
        return len(captured)

    fairness = queries("fairness.classification")  # four templates, many requirements
    assert queries("data_quality.schema") == fairness  # one template
    assert queries("robustness.behaviour") == fairness - 1  # none: no requirements to fetch


def test_a_requirement_page_lists_the_templates_giving_evidence_for_it(client):
    requirement = Requirement.objects.select_related("framework").get(
        framework__identifier="eu-ai-act", identifier="art-10-2-f"
    )
    url = reverse("guide-requirement", args=["eu-ai-act", "art-10-2-f"])

    page = client.get(url).content.decode()

    assert f"<h1>{escape(requirement.title)}</h1>" in page
    assert escape(requirement.summary) in page
    assert f'href="{requirement.url}"' in page
    assert requirement.templates.exists()
    for template in requirement.templates.all():
        assert f"<strong>{template.code}</strong>" in page
        assert f'href="{check_url(template.check_key)}"' in page


def test_a_requirement_with_dots_in_its_identifiers_has_a_page(client):
    framework = Framework.objects.filter(identifier__contains=".").first()
    requirement = Requirement.objects.filter(framework=framework).first()
    url = reverse("guide-requirement", args=[framework.identifier, requirement.identifier])

    assert client.get(url).status_code == 200


def test_an_unknown_requirement_is_not_found(client):
    assert client.get(reverse("guide-requirement", args=["eu-ai-act", "art-99"])).status_code == 404
    assert client.get(reverse("guide-requirement", args=["nowhere", "art-9"])).status_code == 404


def test_the_index_lists_every_check_and_every_requirement(client):
    page = client.get(reverse("guide")).content.decode()

    for key in engine.registered_checks():
        assert f'href="{check_url(key)}"' in page
    for requirement in Requirement.objects.select_related("framework"):
        url = reverse(
            "guide-requirement", args=[requirement.framework.identifier, requirement.identifier]
        )
        assert f'href="{url}"' in page


@pytest.mark.parametrize(
    "url",
    [
        reverse("guide"),
        reverse("guide-check", args=["drift.columns"]),
        reverse("guide-requirement", args=["eu-ai-act", "art-10"]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
