"""The user's own pages: notifications (read one, read all) and API tokens (create once,
use, revoke)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from apps.accounts.models import Notification
from apps.accounts.services import api_token_create
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notify(user, message="Finding F-1 was assigned to you", **fields) -> Notification:
    fields.setdefault("link", "/findings/1/")
    return Notification.objects.create(user=user, kind="assigned", message=message, **fields)


def first_message(response) -> str:
    return str(next(iter(get_messages(response.wsgi_request))))


# --- notifications ------------------------------------------------------------------------


def test_the_users_notifications_are_listed_newest_first_in_bounded_queries(
    django_assert_max_num_queries,
):
    user = UserFactory()
    project = ProjectFactory(name="Credit scoring")
    older = notify(user, "Older news", project=project)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    for number in range(5):
        notify(user, f"Run {number} finished", project=project, read_at=timezone.now())
    newest = notify(user, "Newest news")
    notify(UserFactory(), "Someone else's news")
    client = client_of(user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Newest news") < page.index("Run 4 finished") < page.index("Older news")
    assert "Someone else" not in page
    assert page.count(">Unread<") == 2
    assert '<a href="/findings/1/">Newest news</a>' in page
    assert "Credit scoring" in page
    assert "Mark all as read" in page
    assert Notification.objects.filter(read_at__isnull=True).count() == 3  # GET changes nothing
    assert newest.read_at is None


def test_the_list_is_paginated():
    user = UserFactory()
    for number in range(30):
        notify(user, f"message {number}")

    client = client_of(user)
    first = client.get(reverse("notifications"))
    second = client.get(reverse("notifications"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert "Next page" in first.content.decode()
    assert len(second.context["page"].object_list) == 5


def test_a_link_off_the_site_is_not_rendered_as_a_link():
    user = UserFactory()
    notify(user, "Bad link", link="javascript:alert(1)")

    page = client_of(user).get(reverse("notifications")).content.decode()

    assert "javascript:" not in page
    assert "Bad link" in page


def test_an_empty_inbox_says_so():
    page = client_of(UserFactory()).get(reverse("notifications")).content.decode()

    assert "No notifications yet." in page


def test_marking_one_read():
    user = UserFactory()
    notification, other = notify(user), notify(user, "Another")

    response = client_of(user).post(
        reverse("notification-mark-read", args=[notification.pk]), {"page": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications") + "?page=1"
    assert first_message(response) == "Notification marked as read."
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None


def test_another_users_notification_is_404():
    notification = notify(UserFactory())

    response = client_of(UserFactory()).post(
        reverse("notification-mark-read", args=[notification.pk])
    )

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_touches_only_the_users_own():
    user, someone = UserFactory(), UserFactory()
    notify(user), notify(user), notify(someone)

    response = client_of(user).post(reverse("notifications-read-all"))

    assert response.status_code == 302
    assert first_message(response) == "2 notifications marked as read."
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=someone, read_at__isnull=True).count() == 1


def test_marking_read_needs_a_post():
    user = UserFactory()
    notification = notify(user)

    assert (
        client_of(user).get(reverse("notification-mark-read", args=[notification.pk])).status_code
        == 405
    )
    assert client_of(user).get(reverse("notifications-read-all")).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


# --- API tokens ---------------------------------------------------------------------------


def test_a_created_token_is_shown_once_and_opens_the_api():
    user = UserFactory()
    client = client_of(user)

    created = client.post(reverse("api-token-create"))

    assert created.status_code == 201
    token = created.context["new_token"]
    assert token and token in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert 'for="new-token">New API token' in created.content.decode()
    stored = AuthToken.objects.get(user=user)
    assert token.startswith(stored.token_key)

    api = Client(headers={"Authorization": f"Token {token}"})
    assert api.get("/api/v1/projects/").status_code == 200

    again = client.get(reverse("api-tokens")).content.decode()
    assert token not in again  # never shown again, only its prefix
    assert stored.token_key in again


def test_the_token_page_lists_the_users_tokens_in_bounded_queries(
    django_assert_max_num_queries,
):
    user = UserFactory()
    mine = [api_token_create(user=user)[0] for _ in range(3)]
    theirs, _ = api_token_create(user=UserFactory())
    client = client_of(user)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("api-tokens"))

    page = response.content.decode()
    assert all(token.token_key in page for token in mine)
    assert theirs.token_key not in page
    expiry = mine[0].expiry.strftime("%Y-%m-%d")  # 90 days on, the default lifetime
    assert page.count(f">{expiry} ") == 3
    assert AuthToken.objects.count() == 4  # GET changes nothing


def test_no_token_says_so():
    page = client_of(UserFactory()).get(reverse("api-tokens")).content.decode()

    assert "You have no API token." in page


def test_a_revoked_token_no_longer_opens_the_api():
    user = UserFactory()
    instance, token = api_token_create(user=user)

    response = client_of(user).post(reverse("api-token-revoke", args=[instance.token_key]))

    assert response.status_code == 302
    assert response["Location"] == reverse("api-tokens")
    assert "revoked" in first_message(response)
    assert not AuthToken.objects.exists()
    api = Client(headers={"Authorization": f"Token {token}"})
    assert api.get("/api/v1/projects/").status_code == 401


def test_another_users_token_cannot_be_revoked():
    theirs, _ = api_token_create(user=UserFactory())

    response = client_of(UserFactory()).post(reverse("api-token-revoke", args=[theirs.token_key]))

    assert response.status_code == 404
    assert AuthToken.objects.filter(pk=theirs.pk).exists()


def test_token_changes_need_a_post():
    user = UserFactory()
    instance, _ = api_token_create(user=user)
    client = client_of(user)

    assert client.get(reverse("api-token-create")).status_code == 405
    assert client.get(reverse("api-token-revoke", args=[instance.token_key])).status_code == 405
    assert AuthToken.objects.count() == 1
