"""Each user chooses per kind: in the app only, e-mail at once, or a daily digest; every
e-mail can stop its kind (GET asks, POST stops); SLA warnings go once per threshold."""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Notification
from apps.findings.models import FindingStatus
from apps.notifications.email import unsubscribe_token
from apps.notifications.kinds import KINDS, Delivery
from apps.notifications.models import NotificationPreference
from apps.notifications.services import delivery_for, notify, preference_set
from apps.notifications.sla import sla_warnings_send
from tests.findings.factories import ProjectCast
from tests.notifications.mail import send_digests, send_queued_emails, text_and_html
from tests.support.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_on_collection_day")]


@pytest.fixture
def cast():
    return ProjectCast()


def _tell(cast, user, kind="finding_assigned", message="Something for you."):
    return notify(recipients=[user], kind=kind, project=cast.project, message=message, link="/")


def test_defaults_suit_the_role(cast):
    assert delivery_for(user=cast.dev, kind="finding_assigned") == Delivery.IMMEDIATE
    assert delivery_for(user=cast.dev, kind="run_finished") == Delivery.APP
    assert delivery_for(user=cast.manager, kind="risk_requested") == Delivery.IMMEDIATE
    assert delivery_for(user=cast.manager, kind="finding_assigned") == Delivery.DIGEST


def test_in_the_app_only_sends_no_email(cast, inbox):
    preference_set(user=cast.dev, kind="finding_assigned", delivery=Delivery.APP)

    _tell(cast, cast.dev)

    assert Notification.objects.filter(user=cast.dev).count() == 1
    assert send_queued_emails() == 0
    assert send_digests() == 0
    assert inbox.messages == []


def test_the_digest_bundles_every_waiting_notice_in_one_email(cast, inbox):
    preference_set(user=cast.dev, kind="finding_assigned", delivery=Delivery.DIGEST)
    _tell(cast, cast.dev, message="First finding assigned.")
    _tell(cast, cast.dev, message="Second finding assigned.")
    _tell(cast, cast.dev, kind="sla_warning", message="A finding is due tomorrow.")

    assert send_queued_emails() == 0
    assert send_digests() == 1
    assert send_digests() == 0  # sent once

    [message] = inbox.to(cast.dev.email)
    assert "3 notices" in message["Subject"]
    text, html = text_and_html(message)
    for line in ("First finding assigned.", "Second finding assigned.", "due tomorrow"):
        assert line in text and line in html
    # one stop link per kind the digest holds
    assert text.count("/accounts/notifications/unsubscribe/") == 2


def test_unsubscribe_asks_on_get_and_stops_on_post(cast, inbox):
    _tell(cast, cast.dev)
    send_queued_emails()
    [message] = inbox.to(cast.dev.email)
    text, _ = text_and_html(message)
    link = next(word for word in text.split() if "/unsubscribe/" in word)
    path = link.removeprefix("http://qualiti.test")
    anonymous = Client()  # the link works without signing in

    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Stop these e-mails" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET changes nothing

    done = anonymous.post(path)
    assert done.status_code == 200
    assert "no more e-mails" in done.content.decode()
    assert delivery_for(user=cast.dev, kind="finding_assigned") == Delivery.APP

    inbox.messages.clear()
    _tell(cast, cast.dev)
    assert send_queued_emails() == 0
    assert inbox.messages == []
    assert Notification.objects.filter(user=cast.dev).count() == 2  # still in the app


def test_a_forged_or_cut_token_is_refused_with_a_message(cast):
    token = unsubscribe_token(user=cast.dev, kind="finding_assigned")
    for bad in (token[:-3], "nonsense", token.replace(":", ";")):
        response = Client().post(reverse("notifications-unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_choice_made_after_a_notice_is_queued_is_respected(cast, inbox):
    _tell(cast, cast.dev)
    preference_set(user=cast.dev, kind="finding_assigned", delivery=Delivery.APP)

    assert send_queued_emails() == 0
    assert inbox.messages == []


def test_the_preferences_page_lists_every_kind_and_saves(cast):
    client = Client()
    client.force_login(cast.dev)
    page = client.get(reverse("notification-preferences")).content.decode()
    for kind in KINDS:
        assert kind.label in page

    choices = {kind.key: Delivery.DIGEST.value for kind in KINDS}
    response = client.post(reverse("notification-preferences"), choices)
    assert response.status_code == 302
    assert delivery_for(user=cast.dev, kind="mention") == Delivery.DIGEST

    bad = client.post(reverse("notification-preferences"), {**choices, "mention": "fax"})
    assert bad.status_code == 400


def test_the_notifications_page_promises_what_is_sent(cast):
    client = Client()
    client.force_login(cast.dev)
    page = html.unescape(client.get(reverse("notifications")).content.decode())
    for kind in KINDS:
        assert kind.when[1:40] in page  # capitalised on the page


def test_sla_warnings_go_once_per_threshold(cast, inbox):
    finding = cast.finding(assignee=cast.dev, due_date=TODAY + datetime.timedelta(days=1))
    cast.finding(assignee=cast.dev, due_date=TODAY + datetime.timedelta(days=20))
    cast.finding(
        assignee=cast.dev,
        due_date=TODAY - datetime.timedelta(days=3),
        status=FindingStatus.VERIFIED,
    )

    assert sla_warnings_send(today=TODAY) == 1
    assert sla_warnings_send(today=TODAY) == 0
    [soon] = Notification.objects.filter(kind="sla_warning")
    assert soon.user == cast.dev
    assert f"due on {finding.due_date}" in soon.message

    assert sla_warnings_send(today=TODAY + datetime.timedelta(days=2)) == 1
    overdue = Notification.objects.filter(kind="sla_warning", message__contains="overdue")
    assert {n.user for n in overdue} == {cast.dev, cast.qm}  # overdue: the manager too
    assert sla_warnings_send(today=TODAY + datetime.timedelta(days=3)) == 0


def test_sla_warnings_cover_corrective_actions(cast):
    finding = cast.finding(assignee=cast.dev)
    finding.actions.create(
        description="Reweigh", owner=cast.other_dev, due_date=TODAY, status="accepted"
    )

    assert sla_warnings_send(today=TODAY) == 1
    [notice] = Notification.objects.filter(kind="sla_warning")
    assert notice.user == cast.other_dev
    assert "due today" in notice.message
