"""The catalogue's "Add the chosen criteria": several templates at once, all or none."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.criteria.models import Criterion, CriterionTemplate
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, cast: ProjectCast, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def add_many(client: Client, cast: ProjectCast, *codes: str, follow: bool = True):
    ids = [CriterionTemplate.objects.get(code=code).pk for code in codes]
    return client.post(url("criteria-add-from-templates", cast), {"template": ids}, follow=follow)


def test_the_chosen_templates_are_added_at_once_and_the_list_says_which(cast):
    response = add_many(client_for(cast.qm), cast, "FAIR-01", "PERF-01", "DQ-02")

    codes = set(Criterion.objects.filter(project=cast.project).values_list("code", flat=True))
    assert codes == {"FAIR-01", "PERF-01", "DQ-02"}
    assert response.redirect_chain[-1][0] == url("criteria-list", cast)
    assert "Added 3 criteria: DQ-02, FAIR-01, PERF-01." in response.content.decode()


def test_a_template_already_in_the_project_is_shown_as_such_and_refuses_the_lot(cast):
    client = client_for(cast.qm)
    add_many(client, cast, "FAIR-01")
    catalogue = client.get(url("criterion-catalogue", cast), {"q": "FAIR-0"}).content.decode()
    fair_01 = CriterionTemplate.objects.get(code="FAIR-01")
    assert f'value="{fair_01.pk}"' not in catalogue  # no box to tick: "In this project"
    assert "In this project" in catalogue

    response = add_many(client, cast, "PERF-01", "FAIR-01")

    assert list(Criterion.objects.values_list("code", flat=True)) == ["FAIR-01"]
    assert "Already in this project: FAIR-01. Nothing was added." in response.content.decode()


def test_adding_nothing_or_an_unknown_template_says_so_and_adds_nothing(cast):
    client = client_for(cast.qm)

    nothing = client.post(url("criteria-add-from-templates", cast), follow=True)
    unknown = client.post(
        url("criteria-add-from-templates", cast), {"template": ["999999"]}, follow=True
    )

    assert "Choose at least one template to add." in nothing.content.decode()
    assert "A chosen template does not exist." in unknown.content.decode()
    assert not Criterion.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("dev", 403), ("viewer", 403), ("outsider", 404)])
def test_only_who_manages_criteria_adds_several_templates(cast, role, status):
    response = add_many(client_for(getattr(cast, role)), cast, "FAIR-01", follow=False)

    assert response.status_code == status
    assert not Criterion.objects.exists()
