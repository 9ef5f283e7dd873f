"""The pages people meet when something is refused or breaks: styled, saying what happened
and linking home, never Django's bare or debug pages."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from apps.projects.models import Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_styled_404_that_links_home(client):
    client.force_login(UserFactory())

    response = client.get("/projects/no-such-project/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'href="/"' in page and 'class="topbar"' in page
    assert "not a member of" in page


def test_a_server_error_is_a_styled_page_that_needs_no_request_context():
    response = server_error(RequestFactory().get("/broken/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'href="/"' in page and "qualiti" in page and ".css" in page


def test_a_form_without_its_csrf_token_is_a_styled_403_that_changes_nothing():
    strict = Client(enforce_csrf_checks=True)
    user = UserFactory()
    strict.force_login(user)

    response = strict.post("/projects/new/", {"name": "Sneaky"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page and "nothing was changed" in page
    assert "Forbidden (403)" not in page
    assert not Project.objects.filter(name="Sneaky").exists()


def test_an_address_for_a_forms_button_opened_in_the_browser_is_a_styled_405(client):
    client.force_login(UserFactory())

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST, OPTIONS"
    page = response.content.decode()
    assert "<h1>Not a page to open</h1>" in page and "used by POST only" in page
    assert 'href="/"' in page and 'class="topbar"' in page


def test_the_apis_405_keeps_its_json(client):
    client.force_login(UserFactory())

    response = client.put("/api/v1/search/?q=x")

    assert response.status_code == 405
    assert response.json()["detail"]


def test_a_refused_page_is_logged_in_one_line_without_a_traceback(client, caplog):
    client.force_login(UserFactory())  # no organisation role: may not create projects

    with caplog.at_level("WARNING", logger="django.request"):
        response = client.get("/projects/new/")

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert "Forbidden" in record.getMessage() and "/projects/new/" in record.getMessage()
    assert record.exc_info is None and not record.exc_text
