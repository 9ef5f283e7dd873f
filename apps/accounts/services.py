from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from apps.accounts.models import Membership, Notification, Team, User
from apps.accounts.permissions import Action, organisation_action_check, project_action_check
from apps.projects.models import Project
from qualiti.errors import InvalidInput, NotFound


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


_MANAGE_MEMBERS = "Only the project's quality manager and admins manage its members."
MANAGE_TEAMS = "Only admins and quality managers manage teams."


@transaction.atomic
def membership_create(*, project: Project, user: User, role: str, actor: User | None) -> Membership:
    """Add a user to a project with a role (one membership per user and project)."""
    project_action_check(
        user=actor, project_id=project.pk, action=Action.PROJECT_MANAGE, refusal=_MANAGE_MEMBERS
    )
    if Membership.objects.filter(project=project, user=user).exists():
        raise InvalidInput(f"{user.username} is already a member of {project.slug}.", field="user")
    membership = Membership(project=project, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, role: str, actor: User | None) -> Membership:
    project_action_check(
        user=actor,
        project_id=membership.project_id,
        action=Action.PROJECT_MANAGE,
        refusal=_MANAGE_MEMBERS,
    )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, actor: User | None) -> None:
    project_action_check(
        user=actor,
        project_id=membership.project_id,
        action=Action.PROJECT_MANAGE,
        refusal=_MANAGE_MEMBERS,
    )
    membership.delete()


@transaction.atomic
def team_create(*, name: str, actor: User | None, members: list[User] | None = None) -> Team:
    organisation_action_check(user=actor, refusal=MANAGE_TEAMS)
    team = Team(name=name)
    team.full_clean()
    team.save()
    if members:
        team.members.set(members)
    return team


@transaction.atomic
def team_update(
    *, team: Team, actor: User | None, name: str | None = None, members: list[User] | None = None
) -> Team:
    organisation_action_check(user=actor, refusal=MANAGE_TEAMS)
    if name is not None and name != team.name:
        team.name = name
        team.full_clean()
        team.save(update_fields=["name"])
    if members is not None:
        team.members.set(members)
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: User | None) -> None:
    """Projects and findings of the team keep going without one (their team becomes empty)."""
    organisation_action_check(user=actor, refusal=MANAGE_TEAMS)
    team.delete()


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def api_token_create(*, user: User, days: int | None = None) -> tuple[AuthToken, str]:
    """A new API token of the user: the row (which keeps only a digest and the public
    prefix `token_key`) and the full token, which can be shown once and never again.

    It expires after `days` (QUALITI_TOKEN_DAYS when not given), at most
    QUALITI_TOKEN_MAX_DAYS: a token that leaks stops working by itself.
    """
    days = settings.QUALITI_TOKEN_DAYS if days is None else days
    limit = settings.QUALITI_TOKEN_MAX_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= limit:
        raise InvalidInput(
            f"A token lasts from 1 to {limit} days; {days!r} is not possible.",
            field="expires_in_days",
        )
    return AuthToken.objects.create(user=user, expiry=timedelta(days=days))


@transaction.atomic
def api_token_revoke(*, user: User, token_key: str) -> None:
    """Revoke the user's token(s) with this prefix; another user's key is NotFound."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise NotFound("No such API token.")
