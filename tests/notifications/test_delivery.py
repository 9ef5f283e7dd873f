"""The e-mail task: a mail server that refuses loses nothing, and the next try sends; a
notice is e-mailed once. Mentions in comments render as links."""

import pytest
from django.test import Client

from apps.accounts.models import Notification
from apps.findings.services import comment_create
from apps.notifications.services import notify
from apps.notifications.tasks import notification_email_task
from tests.findings.factories import ProjectCast
from tests.notifications.mail import free_port

pytestmark = pytest.mark.django_db


def test_a_refusing_mail_server_loses_nothing_and_the_next_try_sends(settings, inbox):
    cast = ProjectCast()
    [notice] = notify(
        recipients=[cast.dev], kind="mention", project=cast.project, message="Look at this."
    )
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    settings.EMAIL_TIMEOUT = 2

    failed = notification_email_task.apply(args=[notice.pk], retries=49)  # the last retry
    assert failed.failed()
    assert isinstance(failed.result, OSError)
    notice.refresh_from_db()
    assert notice.emailed_at is None

    settings.EMAIL_PORT = working_port
    assert notification_email_task.apply(args=[notice.pk]).get() is True
    assert notification_email_task.apply(args=[notice.pk]).get() is False  # once only
    assert len(inbox.to(cast.dev.email)) == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None


def test_mentions_render_as_links_and_code_stays_code():
    cast = ProjectCast()
    finding = cast.finding()
    comment_create(
        finding=finding,
        user=cast.dev,
        body=f"Thanks @{cast.qm.username}, see `@{cast.qm.username}` and @nobody-here",
    )
    client = Client()
    client.force_login(cast.dev)

    page = client.get(f"/findings/{finding.pk}/").content.decode()

    link = (
        f'<a class="mention" href="/findings/?assignee={cast.qm.username}">@{cast.qm.username}</a>'
    )
    assert page.count(link) == 1
    assert f"<code>@{cast.qm.username}</code>" in page
    assert "@nobody-here" in page and "?assignee=nobody-here" not in page
    assert Notification.objects.filter(kind="mention", user=cast.qm).count() == 1


def test_the_api_lists_and_changes_the_callers_preferences():
    cast = ProjectCast()
    client = Client()
    client.force_login(cast.dev)
    url = "/api/v1/notification-preferences/"

    rows = {row["kind"]: row for row in client.get(url).json()}
    assert rows["finding_assigned"] == {
        "kind": "finding_assigned",
        "name": "Finding assigned to you",
        "when": "a finding is assigned to you",
        "delivery": "immediate",
        "chosen": False,
    }

    changed = client.patch(f"{url}mention/", {"delivery": "digest"}, "application/json")
    assert changed.status_code == 200
    assert changed.json()["delivery"] == "digest" and changed.json()["chosen"] is True

    bad = client.patch(f"{url}mention/", {"delivery": "fax"}, "application/json")
    assert bad.status_code == 400 and "delivery" in bad.json()
    assert (
        client.patch(f"{url}nothing/", {"delivery": "app"}, "application/json").status_code == 404
    )
