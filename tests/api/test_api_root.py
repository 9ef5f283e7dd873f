"""The browsable API's root lists API resources only, never a page of the same name."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_entry_of_the_api_root_is_an_api_url():
    client = Client()
    client.force_login(UserFactory())

    root = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()

    assert root["findings"] == "http://testserver/api/v1/findings/"
    assert root["runs"] == "http://testserver/api/v1/runs/"
    assert root["webhooks"] == "http://testserver/api/v1/webhooks/"
    assert all(url.startswith("http://testserver/api/v1/") for url in root.values()), root


def test_every_entry_of_the_api_root_answers_as_an_api_resource():
    client = Client()
    client.force_login(UserFactory())

    root = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()

    for name, url in root.items():
        path = urlsplit(url).path
        assert resolve(path).namespace == "api", name
        answer = client.get(path, HTTP_ACCEPT="application/json")
        assert answer.status_code == 200, (name, answer.status_code)
        assert answer["Content-Type"] == "application/json", name


def test_the_browsable_api_root_links_to_api_urls_only():
    client = Client()
    client.force_login(UserFactory())

    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()

    links = set(re.findall(r'href="([^"]+)"', page))
    pages = {link for link in links if not urlsplit(link).path.startswith(("/api/", "/static/"))}
    assert pages == set()
    assert "http://testserver/api/v1/findings/" in links


def test_the_top_bar_and_the_tokens_page_link_to_the_api_documentation():
    client = Client()
    client.force_login(UserFactory())

    home = client.get("/").content.decode()
    tokens = client.get("/accounts/tokens/").content.decode()

    assert '<a href="/api/schema/ui/">API docs</a>' in home
    assert 'href="/api/schema/ui/">the API documentation</a>' in tokens
    assert client.get("/api/schema/ui/").status_code == 200
