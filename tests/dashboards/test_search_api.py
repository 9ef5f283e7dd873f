"""GET /api/v1/search/: the search page's groups as JSON, from the same selector."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.dashboards.search_setup import SearchableProject

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> SearchableProject:
    return SearchableProject()


def api(user, query: str):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(reverse("search-api"), {"q": query})


def test_the_api_answers_the_same_groups_as_json(cast):
    response = api(cast.viewer, f"#{cast.found.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == f"#{cast.found.pk}"
    findings = next(group for group in body["groups"] if group["kind"] == "findings")
    assert findings["total"] == 1 and findings["more"] == 0
    assert findings["results"][0] == {
        "id": cast.found.pk,
        "title": f"#{cast.found.pk} Credit parity gap",
        "project": cast.project.slug,
        "url": reverse("finding-detail", args=[cast.found.pk]),
        "api_url": reverse("api:finding-detail", args=[cast.found.pk]),
    }
    projects = api(cast.viewer, "credit").json()["groups"][0]
    assert projects["results"][0]["api_url"] == reverse(
        "api:project-detail", args=[cast.project.slug]
    )


def test_the_api_hides_other_projects_and_refuses_a_long_query(cast):
    assert api(cast.outsider, "credit").json()["total"] == 0
    assert api(cast.viewer, "  ").json() == {"query": "", "total": 0, "groups": []}
    response = api(cast.viewer, "x" * 201)
    assert response.status_code == 400
    assert response.json()["field"] == "q"
    assert "too long" in response.json()["detail"]
    assert APIClient().get(reverse("search-api"), {"q": "credit"}).status_code == 401
