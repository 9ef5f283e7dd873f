import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_used_listed_and_revoked():
    UserFactory(username="alice")
    client = APIClient()

    issued = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "secret-password"}
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [item["token_key"] for item in listed] == [issued.json()["token_key"]]
    assert token not in str(listed)  # only the public prefix is ever shown
    assert client.delete(f"/api/v1/auth/tokens/{listed[0]['token_key']}/").status_code == 204
    assert client.get("/api/v1/auth/tokens/").status_code == 401


def test_tokens_are_stored_hashed():
    from knox.models import AuthToken

    UserFactory(username="alice")
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "alice", "password": "secret-password"})
        .json()["token"]
    )

    stored = AuthToken.objects.get()
    assert token not in stored.digest
    assert token.startswith(stored.token_key)


def test_a_wrong_password_gets_400_and_no_token():
    UserFactory(username="alice")

    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "x"})

    assert response.status_code == 400
    assert response.json()["detail"] == "Wrong username or password."


def test_anonymous_api_calls_get_401_with_the_token_scheme():
    response = APIClient().get("/api/v1/projects/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
