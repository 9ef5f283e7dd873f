"""The glossary: every check, metric, catalogue criterion and status by name and key, each
under an anchor that the names elsewhere link to; signed-in users only."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from apps.criteria.models import CriterionTemplate
from apps.dashboards.selectors.glossary import glossary_statuses
from apps.evaluations import engine
from apps.evaluations.models import Outcome, RunStatus, Verdict
from apps.findings.models import ActionStatus, FindingStatus
from apps.testplans.models import PlanStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page() -> str:
    client = Client()
    client.force_login(UserFactory())
    response = client.get(reverse("glossary"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_every_check_with_its_key_under_its_anchor(page):
    for key, check in engine.registered_checks().items():
        assert f'<h4 id="check-{key}">{check.name}</h4>' in page
        assert f"<code>{key}</code>" in page


def test_it_names_every_metric_once_with_its_key_under_its_anchor(page):
    metrics = {metric for check in engine.registered_checks().values() for metric in check.metrics}

    for metric in metrics:
        assert page.count(f'id="metric-{metric}"') == 1
        assert f'<code class="term-key">{metric}</code>' in page
    assert "Expected calibration error" in page


def test_it_lists_the_catalogues_criteria_by_code(page):
    assert CriterionTemplate.objects.exists()  # loaded by the data migration
    for template in CriterionTemplate.objects.all():
        assert f'id="criterion-{template.code}"' in page
        assert escape(template.name) in page


def test_it_says_what_every_status_means(page):
    for choices in (FindingStatus, ActionStatus, RunStatus, Verdict, Outcome, PlanStatus):
        for value, label in choices.choices:
            assert f">{label} <code" in page, (choices.__name__, value)
    assert 'id="finding-status-fix_submitted"' in page
    assert 'id="run-status-queued"' in page


def test_every_status_has_a_sentence():
    for group in glossary_statuses():
        for term in group.terms:
            assert len(term.text) > 10, term.anchor


def test_the_top_bar_links_to_it(page):
    assert f'href="{reverse("glossary")}"' in page


def test_a_visitor_is_sent_to_log_in():
    response = Client().get(reverse("glossary"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
