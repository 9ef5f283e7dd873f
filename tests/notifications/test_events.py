"""Each event that asks something of a person tells them, in the app and by e-mail through
a real SMTP server, and tells nobody outside the project."""

import datetime

import pytest

from apps.accounts.models import Notification
from apps.evaluations.models import RunStatus, Trigger
from apps.evaluations.services.history import run_status_record
from apps.findings.models import FindingStatus
from apps.findings.services import (
    comment_create,
    finding_transition,
    finding_update,
    risk_acceptance_decide,
    risk_acceptance_request,
    risk_acceptances_expire,
)
from apps.findings.services.findings import finding_reopen
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import ProjectCast
from tests.notifications.mail import send_queued_emails, text_and_html
from tests.support.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_on_collection_day")]


def told(kind: str) -> set[str]:
    """Usernames with an in-app notice of this kind."""
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def mailed(inbox) -> set[str]:
    return {address.split("@")[0] for address in inbox.recipients()}


@pytest.fixture
def cast():
    return ProjectCast()


def test_the_assignee_is_told_at_once_with_a_link_to_the_finding(cast, inbox):
    finding = cast.finding(title="Recall drops for women")

    finding_update(
        finding=finding,
        user=cast.qm,
        version=finding.version,
        assignee_id=cast.dev.pk,
        fields_given=frozenset({"assignee"}),
    )
    assert send_queued_emails() == 1

    assert told("finding_assigned") == {cast.dev.username}
    notice = Notification.objects.get(kind="finding_assigned")
    assert notice.link == f"/findings/{finding.pk}/"
    assert cast.qm.username in notice.message  # who assigned it
    [message] = inbox.to(cast.dev.email)
    text, html = text_and_html(message)
    assert "Recall drops for women" in message["Subject"]
    assert f"http://qualiti.test/findings/{finding.pk}/" in text
    assert f'href="http://qualiti.test/findings/{finding.pk}/"' in html
    assert "/accounts/notifications/unsubscribe/" in message["List-Unsubscribe"]
    assert mailed(inbox) == {cast.dev.username}


def test_a_submitted_fix_tells_the_quality_managers_and_not_the_submitter(cast, inbox):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS, assignee=cast.dev)

    finding_transition(
        finding=finding,
        user=cast.dev,
        to=FindingStatus.FIX_SUBMITTED,
        reason="reweighed the training data; model version 3",
        version=finding.version,
    )
    send_queued_emails()

    assert told("fix_submitted") == {cast.qm.username}
    notice = Notification.objects.get(kind="fix_submitted")
    assert "reweighed the training data" in notice.message
    assert mailed(inbox) == {cast.qm.username}


def _submitted(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS, assignee=cast.other_dev)
    finding_transition(
        finding=finding,
        user=cast.dev,
        to=FindingStatus.FIX_SUBMITTED,
        reason="new threshold in version 2",
        version=finding.version,
    )
    Notification.objects.all().delete()
    finding.refresh_from_db()
    return finding


def test_a_fix_that_did_not_pass_tells_the_assignee_and_the_submitter(cast, inbox):
    finding = _submitted(cast)

    finding_reopen(
        finding=finding,
        version=finding.version,
        actor_id=None,
        reason="the fix did not pass: fairness.group_gap failed again in run 7",
    )
    send_queued_emails()

    assert told("fix_failed") == {cast.dev.username, cast.other_dev.username}
    assert told("finding_reopened") == set()  # told once, as the fix failing
    assert mailed(inbox) == {cast.dev.username, cast.other_dev.username}


def test_a_verified_finding_tells_the_assignee_and_the_submitter_in_their_digest(cast, inbox):
    finding = _submitted(cast)

    finding_transition(
        finding=finding,
        user=cast.qm,
        to=FindingStatus.VERIFIED,
        reason="checked by hand",
        version=finding.version,
    )

    assert told("finding_verified") == {cast.dev.username, cast.other_dev.username}
    assert send_queued_emails() == 0  # verified is a digest kind by default
    assert Notification.objects.filter(kind="finding_verified", email_delivery="digest").count()


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        (Trigger.PAGE, {"launcher"}),
        (Trigger.UPLOAD, {"launcher", "qm"}),
        (Trigger.MONITORING, {"launcher", "qm"}),  # a production sample's run
    ],
)
def test_a_finished_run_tells_whoever_launched_it_and_for_uploads_the_managers(
    cast, trigger, expected
):
    run = EvaluationRunFactory(
        project=cast.project,
        created_by=cast.dev,
        triggered_by=trigger,
        status=RunStatus.SUCCEEDED,
        verdict="fail",
    )
    run_status_record(run=run, from_status=RunStatus.RUNNING)

    names = {"launcher": cast.dev.username, "qm": cast.qm.username}
    assert told("run_finished") == {names[who] for who in expected}
    notice = Notification.objects.filter(kind="run_finished").first()
    assert notice.link == f"/projects/{cast.project.slug}/runs/{run.pk}/"
    assert "fail" in notice.message


def test_a_failed_run_is_told_and_a_cancelled_one_is_not(cast):
    failed = EvaluationRunFactory(
        project=cast.project, created_by=cast.dev, status=RunStatus.FAILED, error="boom"
    )
    run_status_record(run=failed, from_status=RunStatus.RUNNING)
    cancelled = EvaluationRunFactory(
        project=cast.project, created_by=cast.dev, status=RunStatus.CANCELLED
    )
    run_status_record(run=cancelled, from_status=RunStatus.RUNNING)

    [notice] = Notification.objects.filter(kind="run_finished")
    assert notice.link.endswith(f"/runs/{failed.pk}/")
    assert "failed" in notice.message


def test_a_mention_tells_that_user_only_if_they_see_the_project(cast, inbox):
    finding = cast.finding()

    comment = comment_create(
        finding=finding,
        user=cast.dev,
        body=f"@{cast.qm.username} please look; cc @{cast.outsider.username} and "
        f"mail {cast.viewer.username}@example.com",
    )
    send_queued_emails()

    assert told("mention") == {cast.qm.username}
    notice = Notification.objects.get(kind="mention")
    assert notice.link == f"/findings/{finding.pk}/#comment-{comment.pk}"
    assert mailed(inbox) == {cast.qm.username}


def test_risk_acceptance_requested_decided_and_expired(cast, inbox):
    finding = cast.finding()
    acceptance = risk_acceptance_request(
        finding=finding,
        user=cast.qm,
        justification="compensating control",
        expires_on=TODAY + datetime.timedelta(days=30),
    )
    assert told("risk_requested") == {cast.manager.username}

    risk_acceptance_decide(acceptance=acceptance, user=cast.manager, approve=True)
    assert told("risk_decided") == {cast.qm.username}

    assert risk_acceptances_expire(today=TODAY + datetime.timedelta(days=31)) == 1
    assert told("risk_expired") == {cast.qm.username, cast.manager.username}
    assert told("finding_reopened") == {cast.dev.username}  # the team hears it reopened
    send_queued_emails()
    assert mailed(inbox) == {cast.qm.username, cast.manager.username, cast.dev.username}
    assert cast.outsider.username not in {n.user.username for n in Notification.objects.all()}


def test_a_rejected_request_says_so(cast):
    finding = cast.finding()
    acceptance = risk_acceptance_request(
        finding=finding,
        user=cast.qm,
        justification="compensating control",
        expires_on=TODAY + datetime.timedelta(days=30),
    )
    risk_acceptance_decide(acceptance=acceptance, user=cast.manager, approve=False)

    assert "rejected" in Notification.objects.get(kind="risk_decided").message


def test_notices_go_out_only_after_the_change_commits(cast, django_capture_on_commit_callbacks):
    finding = cast.finding()
    with django_capture_on_commit_callbacks() as callbacks:
        finding_update(
            finding=finding,
            user=cast.qm,
            version=finding.version,
            assignee_id=cast.dev.pk,
            fields_given=frozenset({"assignee"}),
        )
        assert Notification.objects.filter(kind="finding_assigned").exists()
    assert len(callbacks) == 1  # the e-mail task is queued once the transaction commits
