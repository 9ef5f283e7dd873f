import pytest
from rest_framework.test import APIClient

from apps.standards.packs import shipped_frameworks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FRAMEWORKS = "/api/v1/frameworks/"


@pytest.fixture
def client():
    client = APIClient()
    client.force_login(UserFactory())
    return client


def test_it_lists_every_framework_with_its_id_version_and_requirements(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(FRAMEWORKS)
    assert response.status_code == 200
    body = {framework["id"]: framework for framework in response.json()}
    assert set(body) == {framework.id for framework in shipped_frameworks()}
    eu_ai_act = body["eu-ai-act"]
    assert eu_ai_act["version"] == "2024/1689"
    article_10_3 = next(r for r in eu_ai_act["requirements"] if r["id"] == "art-10-3")
    assert article_10_3["url"].startswith("https://eur-lex.europa.eu/")
    assert "DQ-02" in article_10_3["templates"]


def test_it_reads_one_framework_by_its_identifier(client):
    response = client.get(f"{FRAMEWORKS}nist-ai-rmf-1.0/")
    assert response.status_code == 200
    assert response.json()["name"] == "NIST AI Risk Management Framework 1.0"
    assert response.json()["requirements"][0]["id"] == "measure-1.1"


def test_an_unknown_framework_is_404_and_anonymous_callers_are_refused(client):
    assert client.get(f"{FRAMEWORKS}no-such-act/").status_code == 404
    assert APIClient().get(FRAMEWORKS).status_code in (401, 403)
