"""Brute force stops at the door: django-axes locks a (username, address) pair after a few
failures, on the login form and on the API's token endpoint alike."""

import pytest
from axes.utils import reset
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT, WRONG = "secret-password", "wrong-password"
MESSAGE = "Too many failed attempts, try again in 15 minutes."


@pytest.fixture(autouse=True)
def lockouts_reset():
    yield
    reset()  # whatever a test locked is unlocked for the next one


@pytest.fixture
def alice():
    return UserFactory(username="alice")


def form_login(client, password, address="10.0.0.1", username="alice"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def token_request(password, address="10.0.0.1", username="alice"):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_the_form_locks_the_pair_after_the_failure_limit_even_for_the_right_password(client, alice):
    answers = [form_login(client, WRONG).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert answers[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # "wrong password"
    locked = form_login(client, RIGHT)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert MESSAGE in locked.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_the_token_endpoint_locks_the_pair_and_says_so(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_request(WRONG)

    locked = token_request(RIGHT)

    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert locked.json() == {"detail": MESSAGE, "code": "locked_out"}


def test_fifty_wrong_passwords_in_a_row_are_all_refused_and_the_right_one_too(alice):
    statuses = {token_request(WRONG).status_code for _ in range(50)}

    assert statuses == {400, 429}
    assert token_request(RIGHT).status_code == 429


def test_a_locked_pair_locks_neither_other_users_at_that_address_nor_alice_elsewhere(client, alice):
    UserFactory(username="bob")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_request(WRONG)

    assert token_request(RIGHT, username="bob").status_code == 201
    assert token_request(RIGHT, address="10.0.0.2").status_code == 201
    assert form_login(client, RIGHT, username="bob").status_code == 302


def test_only_failures_count_and_a_success_clears_them(alice):
    for _ in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert token_request(WRONG).status_code == 400
        assert token_request(RIGHT).status_code == 201
