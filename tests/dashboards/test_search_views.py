"""The search page: grouped links, the query echoed, a message for an empty, unmatched or
unsearchable query, and nothing from another project."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboards.search_setup import SearchableProject
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import FindingFactory, ProjectCast

pytestmark = pytest.mark.django_db


def page(user, query: str | None):
    client = Client()
    client.force_login(user)
    return client.get(reverse("search"), {} if query is None else {"q": query})


@pytest.fixture
def cast() -> SearchableProject:
    return SearchableProject()


def test_the_page_groups_what_it_finds_with_links_to_each_page(cast):
    response = page(cast.viewer, "credit")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Search results for “credit”" in html
    for url in (
        reverse("project-overview", args=[cast.project.slug]),
        reverse("model-version-page", args=[cast.project.slug, cast.version.pk]),
        reverse("run-detail", args=[cast.project.slug, cast.run.pk]),
        reverse("finding-detail", args=[cast.found.pk]),
    ):
        assert f'href="{url}"' in html
    for heading in ("Projects", "Model versions", "Runs", "Findings"):
        assert f">{heading} <span" in html
    assert "<code>FAIR-01</code>" in html


def test_the_top_bar_box_keeps_the_query_escaped(cast):
    html = page(cast.viewer, '"><script>alert(1)</script>').content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "<script>alert(1)" not in html
    assert 'value="credit"' in page(cast.viewer, "  credit ").content.decode()


def test_every_page_has_the_labelled_search_box_in_its_top_bar(cast):
    client = Client()
    client.force_login(cast.dev)
    html = client.get(reverse("finding-list")).content.decode()
    assert 'role="search" aria-label="Site"' in html
    assert f'action="{reverse("search")}"' in html
    assert '<label for="site-search-q" class="visually-hidden">' in html
    assert 'value=""' in html.split('id="site-search-q"')[1].split(">")[0]


@pytest.mark.parametrize("query", [None, "", "   "])
def test_an_empty_query_says_what_can_be_searched(cast, query):
    response = page(cast.viewer, query)
    assert response.status_code == 200
    assert "Type what you are looking for" in response.content.decode()


def test_no_match_says_so(cast):
    html = page(cast.viewer, "zebra").content.decode()
    assert "Nothing you can see matches “zebra”." in html


def test_a_query_over_200_characters_gets_a_message_not_an_error(cast):
    response = page(cast.viewer, "credit " * 40)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The search is too long: at most 200 characters, this one has 279." in html
    assert 'role="alert"' in html
    assert cast.project.name not in html.split("<main")[1]


def test_another_projects_objects_never_appear_not_even_counted(cast):
    other = ProjectCast()
    FindingFactory.create_batch(3, project=other.project, title="Credit parity gap")
    html = page(cast.viewer, "parity").content.decode()
    assert "1 match." in html
    assert "more" not in html.split("<main")[1]
    assert "Nothing you can see matches" in page(cast.outsider, "credit").content.decode()


def test_the_page_asks_for_a_login():
    response = Client().get(reverse("search"), {"q": "credit"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_takes_as_many_queries_for_many_results_as_for_one(
    cast, django_assert_max_num_queries
):
    client = Client()
    client.force_login(cast.qm)
    client.get(reverse("search"), {"q": "credit"})  # the session and user, warmed
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("search"), {"q": "credit"})
    FindingFactory.create_batch(15, project=cast.project, title="Credit drift")
    EvaluationRunFactory.create_batch(15, project=cast.project, model_version=cast.version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("search"), {"q": "credit"})


def test_a_nul_character_gets_a_message_and_is_not_echoed(cast):
    response = page(cast.viewer, "cred\x00it")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The search holds a character that cannot be searched for." in html
    assert "\x00" not in html and 'value="credit"' in html
