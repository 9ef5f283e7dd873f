"""Every answer carries the Content-Security-Policy: pages, API, errors and static files."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/api/v1/projects/", "/nowhere/"])
def test_pages_api_and_errors_carry_the_policy(client, path):
    client.force_login(UserFactory())

    policy = directives(client.get(path)["Content-Security-Policy"])

    assert policy["default-src"] == ["'self'"]
    # This server's files, and an inline script only with the answer's nonce (given when
    # a page asks for one): no 'unsafe-inline', no 'unsafe-eval', no other host.
    assert policy["script-src"][0] == "'self'"
    assert all(value.startswith("'nonce-") for value in policy["script-src"][1:])
    assert "'unsafe-inline'" not in policy["style-src"] + policy["style-src-elem"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_static_files_carry_a_policy_of_their_own(client):
    response = client.get("/static/css/qualiti.css")

    assert response.status_code == 200
    assert "default-src 'none'" in response["Content-Security-Policy"]
