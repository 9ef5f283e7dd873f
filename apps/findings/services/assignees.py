"""Who may be given work on a finding (be its assignee, own one of its corrective actions):
the project's members and the members of its development team, but not those who only
read it (its viewers, management). A team member who is not
yet a member joins the project as a developer in the same transaction, added by whoever
gives them the work, so the members rule (apps.accounts.services.membership_create)
applies: only who may manage the project's members can do it."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.accounts.models import Membership, ProjectRole, Team, User
from apps.accounts.permissions import MANAGEMENT, effective_role
from apps.accounts.services import membership_create
from apps.audit.models import HistoryKind
from apps.audit.services import status_change_record
from apps.findings.models import Finding
from apps.projects.models import Project
from qualiti.errors import InvalidInput


@dataclass(frozen=True)
class Admission:
    """The person given work (None: nobody), and whether they joined the project for it."""

    person: User | None
    joined: bool = False


def assignable_people(*, project: Project) -> QuerySet[User]:
    """The active members of the project and of its development team, by username: the
    choices of the assignment and owner fields."""
    memberships = Membership.objects.filter(project=project)
    people = Q(pk__in=memberships.exclude(role=ProjectRole.VIEWER).values("user_id"))
    if project.development_team_id is not None:
        team_members = Team.members.through.objects.filter(team_id=project.development_team_id)
        people |= Q(pk__in=team_members.values("user_id"))
    viewers = memberships.filter(role=ProjectRole.VIEWER).values("user_id")
    return User.objects.filter(people, is_active=True).exclude(pk__in=viewers).order_by("username")


def assignable_refusal(*, who: str) -> str:
    return f"The {who} must be a member of the project or of its development team."


def _reads_only_refusal(*, who: str, role: str) -> str:
    return (
        f"The {who} takes part in this project as {role.replace('_', ' ')}, which reads "
        "findings but does not work on them: choose a developer or the quality manager "
        "(or change their role on the Members page first)."
    )


def assignee_admit(
    *, project: Project, person_id: int | None, actor: User | None, field: str, who: str
) -> Admission:
    """Check that the person may be given work on the project, and make a member of its
    development team who is not a project member yet join it as a developer. Refused with
    the same words whether the person is outside both or does not exist. Call inside the
    transaction that gives the work, so the membership and the work commit together."""
    if person_id is None:
        return Admission(person=None)
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise InvalidInput(assignable_refusal(who=who), field=field)
    role = effective_role(user=person, project_id=project.pk)
    if role in (ProjectRole.VIEWER, MANAGEMENT):
        raise InvalidInput(_reads_only_refusal(who=who, role=role), field=field)
    if role is not None:
        return Admission(person=person)
    team_id = project.development_team_id
    if team_id is None or not person.teams.filter(pk=team_id).exists():
        raise InvalidInput(assignable_refusal(who=who), field=field)
    membership_create(project=project, user=person, role=ProjectRole.DEVELOPER, actor=actor)
    return Admission(person=person, joined=True)


def _name(user: User | None) -> str:
    return user.get_username() if user is not None else "nobody"


def assignment_record(
    *, finding: Finding, actor: User | None, previous: User | None, admission: Admission
) -> None:
    """The finding's history line of a new assignee: who assigned whom (the actor is the
    line's actor), who had it before, and whether the assignee joined the project for it."""
    person = admission.person
    if person is None:
        reason = f"unassigned {_name(previous)}"
    else:
        reason = f"assigned to {_name(person)}"
        if previous is not None:
            reason += f" (was {_name(previous)})"
    if admission.joined and person is not None:
        team = finding.project.development_team
        reason += (
            f"; {_name(person)} joined the project as a developer, being a member of its "
            f"development team {team.name if team else ''}"
        ).rstrip()
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=finding.status,
        to_status=finding.status,
        actor_id=actor.pk if actor else None,
        reason=reason,
        kind=HistoryKind.ASSIGNMENT,
    )
