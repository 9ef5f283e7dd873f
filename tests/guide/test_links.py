"""Every finding, criterion and result leads to its check's guide page, and the top bar to
the guide."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.criteria.factories import CriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def guide_of(key: str) -> str:
    return reverse("guide-check", args=[key])


def test_the_finding_page_links_to_its_checks_guide_page():
    cast = ProjectCast()
    finding = cast.finding(check_key="drift.columns", subject="income")

    html = page(cast.dev, reverse("finding-detail", args=[finding.pk]))

    assert f'<a class="guide-link" href="{guide_of("drift.columns")}">Guide' in html
    assert f'<a class="term" href="{guide_of("drift.columns")}"' in html


def test_a_finding_raised_by_hand_has_no_guide_link():
    cast = ProjectCast()
    finding = cast.finding(check_key="")

    assert 'class="guide-link"' not in page(cast.dev, reverse("finding-detail", args=[finding.pk]))


def test_the_criterion_page_and_the_criteria_list_link_to_the_checks_guide_page():
    cast = ProjectCast()
    criterion = CriterionFactory(project=cast.project, check_key="calibration.classification",
                                 metric="expected_calibration_error")  # fmt: skip
    slug = cast.project.slug

    criterion_page = page(cast.dev, reverse("criterion-edit", args=[slug, criterion.pk]))
    criteria_list = page(cast.dev, reverse("criteria-list", args=[slug]))

    assert f'<a class="guide-link" href="{guide_of("calibration.classification")}">' in (
        criterion_page
    )
    assert f'href="{guide_of("calibration.classification")}"' in criteria_list


def test_the_glossary_and_the_top_bar_lead_to_the_guide():
    cast = ProjectCast()

    glossary = page(cast.dev, reverse("glossary"))

    assert f'<a href="{reverse("guide")}">Guide</a>' in glossary
    assert f'<a href="{guide_of("drift.columns")}">How to read and act on Column drift</a>' in (
        glossary
    )
