"""Ownership on the finding page: the assignee list and why someone is missing, "I'll do it",
"Propose an action" and the fix's note; each for the allowed role, a viewer (403), an
outsider (404) and a developer of another team."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership
from apps.findings import services
from apps.findings.models import ActionStatus, CorrectiveAction, FindingStatus
from tests.factories import TeamFactory, UserFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(finding, name="finding-detail", *extra) -> str:
    return reverse(name, args=[finding.pk, *extra])


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def cast():
    cast = ProjectCast()
    cast.newcomer = UserFactory(username="newcomer")
    cast.team.members.add(cast.newcomer)
    return cast


def test_the_assignee_list_has_the_team_and_says_why_others_are_missing(cast):
    page = client_for(cast.qm).get(url(cast.finding())).content.decode()

    assert ">newcomer</option>" in page
    members = reverse("project-members", args=[cast.project.slug])
    assert (
        f"Only the project's members and its development team ({cast.team.name}) can be "
        f'given work. Add people on <a href="{members}">the members page</a>.'
    ) in page


def test_assigning_a_team_member_from_the_page_makes_them_a_member_in_one_step(cast):
    finding = cast.finding()

    response = client_for(cast.qm).post(
        url(finding, "finding-assign"),
        {"severity": "high", "assigned_team": cast.team.pk, "assignee": cast.newcomer.pk,
         "version": 1},
    )  # fmt: skip

    assert response.status_code == 302
    assert message_texts(response) == ["Triage saved; newcomer joined the project as a developer."]
    finding.refresh_from_db()
    assert finding.assignee == cast.newcomer
    assert Membership.objects.filter(project=cast.project, user=cast.newcomer).exists()
    history = client_for(cast.qm).get(url(finding)).content.decode()
    assert "assigned to newcomer; newcomer joined the project as a developer" in history


def test_the_take_button_shows_on_unowned_actions_for_the_team(cast):
    finding = cast.finding()
    services.corrective_action_create(finding=finding, user=cast.qm, description="Unowned")
    services.corrective_action_create(
        finding=finding, user=cast.qm, description="Owned", owner_id=cast.other_dev.pk
    )

    as_dev = client_for(cast.dev).get(url(finding)).content.decode()
    as_viewer = client_for(cast.viewer).get(url(finding)).content.decode()

    assert as_dev.count("I'll do it<span") == 1
    assert "I'll do it" not in as_viewer


def test_i_will_do_it_makes_the_developer_the_owner(cast):
    finding = cast.finding()
    action = services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")

    response = client_for(cast.dev).post(
        url(finding, "finding-action-take", action.pk), {"version": 1}
    )

    assert response.status_code == 302
    assert response["Location"] == url(finding) + "#actions"
    action.refresh_from_db()
    assert (action.owner, action.status) == (cast.dev, ActionStatus.IN_PROGRESS)
    page = client_for(cast.dev).get(url(finding)).content.decode()
    assert "took the corrective action “Fix”" in page


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404), ("other", 403)])
def test_taking_is_refused(cast, who, status):
    finding = cast.finding(assigned_team=TeamFactory()) if who == "other" else cast.finding()
    action = CorrectiveAction.objects.create(finding=finding, description="Fix")
    user = cast.dev if who == "other" else getattr(cast, who)

    response = client_for(user).post(url(finding, "finding-action-take", action.pk), {"version": 1})

    assert response.status_code == status
    action.refresh_from_db()
    assert action.owner is None


def test_an_owned_action_answers_400_with_the_owner(cast):
    finding = cast.finding()
    action = services.corrective_action_create(
        finding=finding, user=cast.qm, description="Fix", owner_id=cast.other_dev.pk
    )

    response = client_for(cast.dev).post(
        url(finding, "finding-action-take", action.pk), {"version": 1}
    )

    assert response.status_code == 400
    assert f"already owned by {cast.other_dev.username}" in response.content.decode()


def test_developers_get_the_propose_form_the_qm_the_full_one(cast):
    finding = cast.finding()

    as_dev = client_for(cast.dev).get(url(finding)).content.decode()
    as_qm = client_for(cast.qm).get(url(finding)).content.decode()
    as_viewer = client_for(cast.viewer).get(url(finding)).content.decode()

    assert "Propose an action" in as_dev and "Add a corrective action" not in as_dev
    assert "Add a corrective action" in as_qm and "Propose an action" not in as_qm
    assert "Propose an action" not in as_viewer


def test_a_developer_proposes_an_action_from_the_page(cast):
    finding = cast.finding()

    response = client_for(cast.dev).post(
        url(finding, "finding-action-propose"), {"description": "Reweigh by sex"}
    )

    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (action.description, action.status) == ("Reweigh by sex", ActionStatus.PROPOSED)
    assert (
        "proposed the corrective action" in client_for(cast.qm).get(url(finding)).content.decode()
    )


@pytest.mark.parametrize(
    ("who", "status"), [("viewer", 403), ("outsider", 404), ("other", 403), ("empty", 400)]
)
def test_proposing_is_refused(cast, who, status):
    finding = cast.finding(assigned_team=TeamFactory()) if who == "other" else cast.finding()
    user = cast.dev if who in ("other", "empty") else getattr(cast, who)

    response = client_for(user).post(
        url(finding, "finding-action-propose"), {"description": "" if who == "empty" else "Fix"}
    )

    assert response.status_code == status
    assert not CorrectiveAction.objects.exists()


def test_the_fix_form_asks_for_a_note_and_the_status_form_no_longer_offers_it(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    response = client_for(cast.dev).get(url(finding))

    assert response.context["fix_form"] is not None
    targets = [value for value, _ in response.context["transition_form"].fields["to"].choices]
    assert targets == ["open"]
    assert "which model version carries the fix" in response.content.decode()


def test_a_fix_without_a_note_is_refused_with_the_reason(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    response = client_for(cast.dev).post(url(finding, "finding-fix-submit"), {"version": 1})

    assert response.status_code == 400
    assert response.context["fix_form"].errors["note"] == ["This field is required."]
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_a_blank_note_is_refused_by_the_service_words(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    response = client_for(cast.dev).post(
        url(finding, "finding-fix-submit"), {"version": 1, "note": "   "}
    )

    assert response.status_code == 400
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_a_fix_with_its_note_is_submitted_and_the_history_shows_the_note(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    response = client_for(cast.dev).post(
        url(finding, "finding-fix-submit"),
        {"version": 1, "note": "Retrained on audited labels: model version 2"},
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.FIX_SUBMITTED
    page = client_for(cast.qm).get(url(finding)).content.decode()
    assert "<strong>Fix submitted</strong>" in page
    assert "with the note: <q>Retrained on audited labels: model version 2</q>" in page


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404), ("other", 403)])
def test_submitting_a_fix_is_refused(cast, who, status):
    finding = cast.finding(
        status=FindingStatus.IN_PROGRESS,
        **({"assigned_team": TeamFactory()} if who == "other" else {}),
    )
    user = cast.dev if who == "other" else getattr(cast, who)

    response = client_for(user).post(
        url(finding, "finding-fix-submit"), {"version": 1, "note": "model 2"}
    )

    assert response.status_code == status
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_the_bulk_assignment_offers_the_team_and_makes_them_members(cast):
    first, second = cast.finding(), cast.finding()
    client = client_for(cast.qm)

    listed = client.get(reverse("finding-list")).content.decode()
    response = client.post(
        reverse("finding-bulk"),
        {"findings": [first.pk, second.pk], "operation": "assign", "assignee": cast.newcomer.pk},
    )

    assert ">newcomer</option>" in listed
    assert response.status_code == 302
    assert {first.pk, second.pk} == set(
        cast.project.findings.filter(assignee=cast.newcomer).values_list("pk", flat=True)
    )
    assert Membership.objects.get(project=cast.project, user=cast.newcomer).role == "developer"
