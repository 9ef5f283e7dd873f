"""Ownership services: who may be assigned (members and the development team, who join the
project in the same step), taking an action ("I'll do it"), proposing one, and the history
each leaves."""

import datetime

import pytest

from apps.accounts.models import Membership, ProjectRole
from apps.audit.models import HistoryKind, StatusChange
from apps.findings import services
from apps.findings.models import ActionStatus, CorrectiveAction, Finding, FindingStatus
from qualiti import events
from qualiti.errors import InvalidInput, PermissionRefused, StaleVersion
from tests.factories import TeamFactory, UserFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.fixture
def published(monkeypatch):
    """The events published during the test."""
    seen: list[events.Event] = []
    monkeypatch.setattr(events, "_subscribers", [*events._subscribers, seen.append])
    return seen


def finding_history(finding: Finding, kind: str) -> list[StatusChange]:
    return list(StatusChange.objects.filter(object_id=finding.pk, kind=kind).order_by("id"))


def team_newcomer(cast: ProjectCast):
    """A member of the project's development team who is not a project member."""
    newcomer = UserFactory(username="newcomer")
    cast.team.members.add(newcomer)
    return newcomer


def assign(finding: Finding, user, assignee_id):
    finding.refresh_from_db()
    return services.finding_update(
        finding=finding,
        user=user,
        version=finding.version,
        assignee_id=assignee_id,
        fields_given=frozenset({"assignee"}),
    )


def test_assignable_people_are_the_members_and_the_development_team(cast):
    newcomer = team_newcomer(cast)
    UserFactory(username="stranger")

    people = set(services.assignable_people(project=cast.project))

    assert people == {cast.qm, cast.dev, cast.other_dev, newcomer}  # not the viewer


@pytest.mark.parametrize("who", ["viewer", "manager"])
def test_who_only_reads_the_project_cannot_be_given_its_work(cast, who):
    finding = cast.finding()

    with pytest.raises(InvalidInput) as refused:
        assign(finding, cast.qm, getattr(cast, who).pk)

    assert refused.value.field == "assignee"
    assert "reads findings but does not work on them" in refused.value.message
    finding.refresh_from_db()
    assert finding.assignee is None


def test_a_team_member_assigned_by_the_qm_joins_the_project_as_a_developer(cast):
    newcomer = team_newcomer(cast)
    finding = cast.finding()

    assign(finding, cast.qm, newcomer.pk)

    finding.refresh_from_db()
    assert finding.assignee == newcomer
    assert Membership.objects.get(project=cast.project, user=newcomer).role == (
        ProjectRole.DEVELOPER
    )
    (line,) = finding_history(finding, HistoryKind.ASSIGNMENT)
    assert line.actor == cast.qm
    assert (line.from_status, line.to_status) == ("open", "open")
    assert line.reason == (
        f"assigned to newcomer; newcomer joined the project as a developer, being a member "
        f"of its development team {cast.team.name}"
    )


def test_someone_outside_the_project_and_its_team_is_refused_and_joins_nothing(cast):
    stranger = UserFactory()
    finding = cast.finding()
    TeamFactory().members.add(stranger)  # another team's member

    with pytest.raises(InvalidInput) as refused:
        assign(finding, cast.qm, stranger.pk)

    assert refused.value.field == "assignee"
    assert refused.value.message == (
        "The assignee must be a member of the project or of its development team."
    )
    assert not Membership.objects.filter(user=stranger).exists()
    assert not finding_history(finding, HistoryKind.ASSIGNMENT)


def test_a_developer_may_not_assign_even_a_team_member(cast):
    newcomer = team_newcomer(cast)
    finding = cast.finding()

    with pytest.raises(PermissionRefused):
        assign(finding, cast.dev, newcomer.pk)

    assert not Membership.objects.filter(user=newcomer).exists()


def test_history_says_who_had_the_finding_before_and_who_unassigned_it(cast):
    finding = cast.finding()

    assign(finding, cast.qm, cast.dev.pk)
    assign(finding, cast.qm, cast.other_dev.pk)
    assign(finding, cast.qm, None)
    assign(finding, cast.qm, None)  # no change: no line

    reasons = [line.reason for line in finding_history(finding, HistoryKind.ASSIGNMENT)]
    assert reasons == [
        f"assigned to {cast.dev.username}",
        f"assigned to {cast.other_dev.username} (was {cast.dev.username})",
        f"unassigned {cast.other_dev.username}",
    ]


def test_an_actions_owner_may_be_a_team_member_who_then_joins(cast):
    newcomer = team_newcomer(cast)

    action = services.corrective_action_create(
        finding=cast.finding(), user=cast.qm, description="Retrain", owner_id=newcomer.pk
    )

    assert action.owner == newcomer
    assert Membership.objects.filter(project=cast.project, user=newcomer).exists()


# "I'll do it"


def test_a_developer_takes_an_unowned_action_of_their_teams_finding(cast, published):
    finding = cast.finding()
    action = services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")

    taken = services.corrective_action_take(action=action, user=cast.dev, version=action.version)

    assert (taken.owner, taken.status, taken.version) == (cast.dev, ActionStatus.IN_PROGRESS, 2)
    (line,) = finding_history(finding, HistoryKind.ACTION_TAKEN)
    assert (line.actor, line.reason) == (cast.dev, "took the corrective action “Fix”")
    action_line = StatusChange.objects.filter(object_id=action.pk, to_status="in_progress").get()
    assert (action_line.from_status, action_line.reason) == ("proposed", f"taken by {cast.dev}")
    (event,) = [event for event in published if event.name == "action.taken"]
    assert (event.subject, event.actor, event.data) == (taken, cast.dev, {"owner_id": cast.dev.pk})


def test_taking_twice_is_harmless(cast):
    action = services.corrective_action_create(
        finding=cast.finding(), user=cast.qm, description="F"
    )
    services.corrective_action_take(action=action, user=cast.dev, version=1)

    again = services.corrective_action_take(action=action, user=cast.dev, version=1)

    assert (again.owner, again.version) == (cast.dev, 2)
    assert StatusChange.objects.filter(kind=HistoryKind.ACTION_TAKEN).count() == 1


def test_an_action_someone_else_owns_cannot_be_taken(cast):
    action = services.corrective_action_create(
        finding=cast.finding(), user=cast.qm, description="Fix", owner_id=cast.other_dev.pk
    )

    with pytest.raises(InvalidInput, match=f"already owned by {cast.other_dev.username}"):
        services.corrective_action_take(action=action, user=cast.dev, version=1)


def test_taking_with_a_stale_version_is_refused(cast):
    action = services.corrective_action_create(
        finding=cast.finding(), user=cast.qm, description="F"
    )
    services.corrective_action_update(action=action, user=cast.qm, version=1, status="accepted")

    with pytest.raises(StaleVersion):
        services.corrective_action_take(action=action, user=cast.dev, version=1)


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.REJECTED])
def test_a_finished_action_cannot_be_taken(cast, status):
    action = CorrectiveAction.objects.create(finding=cast.finding(), description="F", status=status)

    with pytest.raises(InvalidInput, match="action cannot be taken"):
        services.corrective_action_take(action=action, user=cast.dev, version=1)


def test_an_action_of_a_closed_finding_cannot_be_taken(cast):
    finding = cast.finding(status=FindingStatus.VERIFIED)
    action = CorrectiveAction.objects.create(finding=finding, description="F")

    with pytest.raises(InvalidInput, match="The finding is verified"):
        services.corrective_action_take(action=action, user=cast.dev, version=1)


@pytest.mark.parametrize("who", ["viewer", "manager", "outsider", "other_team_dev"])
def test_who_may_not_work_on_the_finding_may_not_take_its_action(cast, who):
    finding = cast.finding(assigned_team=TeamFactory()) if who == "other_team_dev" else None
    finding = finding or cast.finding()
    user = cast.dev if who == "other_team_dev" else getattr(cast, who)
    action = CorrectiveAction.objects.create(finding=finding, description="F")

    with pytest.raises(PermissionRefused):
        services.corrective_action_take(action=action, user=user, version=1)

    action.refresh_from_db()
    assert (action.owner, action.version) == (None, 1)


# Proposing an action


def test_a_developer_proposes_an_action_and_the_qm_accepts_it(cast, published):
    finding = cast.finding()

    proposed = services.corrective_action_propose(
        finding=finding, user=cast.dev, description="  Reweigh the training data  "
    )

    assert (proposed.status, proposed.owner, proposed.description) == (
        ActionStatus.PROPOSED,
        None,
        "Reweigh the training data",
    )
    assert proposed.due_date == finding.due_date
    (line,) = finding_history(finding, HistoryKind.ACTION_PROPOSED)
    assert (line.actor, line.reason) == (
        cast.dev,
        "proposed the corrective action “Reweigh the training data”",
    )
    assert [event.name for event in published] == ["action.proposed"]
    accepted = services.corrective_action_update(
        action=proposed, user=cast.qm, version=proposed.version, status=ActionStatus.ACCEPTED
    )
    assert accepted.status == ActionStatus.ACCEPTED


def test_a_proposal_keeps_its_own_due_date_but_not_one_in_the_past(cast):
    finding = cast.finding()
    soon = datetime.date.today() + datetime.timedelta(days=3)

    proposed = services.corrective_action_propose(
        finding=finding, user=cast.dev, description="Fix", due_date=soon
    )
    with pytest.raises(InvalidInput, match="in the past"):
        services.corrective_action_propose(
            finding=finding,
            user=cast.dev,
            description="Fix",
            due_date=datetime.date.today() - datetime.timedelta(days=1),
        )

    assert proposed.due_date == soon


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("viewer", PermissionRefused), ("outsider", PermissionRefused),
     ("other_team_dev", PermissionRefused), ("empty", InvalidInput), ("closed", InvalidInput)],
)  # fmt: skip
def test_a_proposal_is_refused(cast, who, refusal):
    fields = {"assigned_team": TeamFactory()} if who == "other_team_dev" else {}
    if who == "closed":
        fields["status"] = FindingStatus.FALSE_POSITIVE
    finding = cast.finding(**fields)
    user = getattr(cast, who) if who in ("viewer", "outsider") else cast.dev

    with pytest.raises(refusal):
        services.corrective_action_propose(
            finding=finding, user=user, description="" if who == "empty" else "Fix"
        )

    assert not CorrectiveAction.objects.exists()
