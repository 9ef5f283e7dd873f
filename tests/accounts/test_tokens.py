import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from qualiti.errors import InvalidInput
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


def test_a_token_expires_after_ninety_days_unless_asked_otherwise():
    UserFactory(username="alice")
    client = APIClient()
    credentials = {"username": "alice", "password": "secret-password"}

    default = client.post("/api/v1/auth/token/", credentials).json()
    week = client.post("/api/v1/auth/token/", {**credentials, "expires_in_days": 7}).json()
    too_long = client.post("/api/v1/auth/token/", {**credentials, "expires_in_days": 366})

    now = timezone.now()
    assert parse_datetime(default["expiry"]) - now == pytest.approx(
        timedelta(days=90), abs=timedelta(seconds=60)
    )
    assert parse_datetime(week["expiry"]) - now == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=60)
    )
    assert too_long.status_code == 400
    assert "expires_in_days" in too_long.json()


def test_an_expired_token_no_longer_opens_the_api():
    from knox.models import AuthToken

    instance, token = api_token_create(user=UserFactory())
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    response = APIClient().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401


def test_the_service_refuses_a_lifetime_beyond_the_maximum(settings):
    settings.QUALITI_TOKEN_MAX_DAYS = 30
    with pytest.raises(InvalidInput, match="from 1 to 30 days"):
        api_token_create(user=UserFactory(), days=31)


def test_tokens_made_before_expiry_existed_expire_ninety_days_after_their_creation():
    from knox.models import AuthToken

    migration = importlib.import_module("apps.accounts.migrations.0004_token_expiry")
    instance, _ = api_token_create(user=UserFactory())
    created = timezone.now() - timedelta(days=10)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=None, created=created)

    migration.expire_old_tokens(django_apps, None)

    instance.refresh_from_db()
    assert instance.expiry == created + timedelta(days=90)
