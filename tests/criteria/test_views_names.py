"""The criteria pages name checks and metrics in words, each key on hover; the catalogue
finds a template by its check's or metric's name too."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.criteria.factories import CriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


def page(user, name: str, cast: ProjectCast, *args, **query) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=[cast.project.slug, *args]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_names_each_criterions_metric_and_check(cast):
    CriterionFactory(
        project=cast.project, check_key="calibration.classification",
        metric="expected_calibration_error",
    )  # fmt: skip

    body = page(cast.viewer, "criteria-list", cast)

    assert 'title="key: expected_calibration_error">Expected calibration error</a>' in body
    assert 'title="key: calibration.classification">Probability calibration</a>' in body
    assert "<code>expected_calibration_error</code>" not in body


def test_a_criterion_read_by_a_viewer_names_its_check_and_metric(cast):
    criterion = CriterionFactory(project=cast.project)

    body = page(cast.viewer, "criterion-edit", cast, criterion.pk)

    assert ">Classification performance</a>" in body
    assert ">ROC AUC</a>" in body
    # The metrics of the check, with the key a custom criterion's metric field takes
    assert '>Balanced accuracy</a> <code class="term-key">balanced_accuracy</code>' in body


def test_the_editor_offers_checks_by_name_with_their_key(cast):
    criterion = CriterionFactory(project=cast.project)

    body = page(cast.qm, "criterion-edit", cast, criterion.pk)

    assert ">Probability calibration (calibration.classification)</option>" in body


def test_the_catalogue_names_checks_and_metrics_and_finds_them_by_name(cast):
    body = page(cast.qm, "criterion-catalogue", cast, q="probability calibration")

    assert "CAL-01" in body and "PERF-01" not in body
    assert ">Expected calibration error</a>" in body
    assert "<code>calibration.classification</code>" not in body
    assert "FAIR-01" in page(cast.qm, "criterion-catalogue", cast, q="demographic parity ratio")
