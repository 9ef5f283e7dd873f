"""Notices: who gets one, stored in the app, and e-mailed at once or in a daily digest as
each user chose (apps.notifications.kinds holds every kind and its default)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from apps.accounts.models import Membership, Notification, OrgRole, ProjectRole, User
from apps.accounts.permissions import Action, user_can
from apps.notifications.kinds import KINDS_BY_KEY, Delivery, kind_default
from apps.notifications.models import NotificationPreference
from qualiti.errors import InvalidInput


def delivery_for(*, user: User, kind: str) -> Delivery:
    """The user's choice for this kind, or the default for their role."""
    chosen = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    if chosen:
        return Delivery(chosen)
    return kind_default(kind, is_management=user.org_role == OrgRole.MANAGEMENT)


def _may_see(user: User, project: Any) -> bool:
    if not user.is_active:
        return False
    return project is None or user_can(user=user, project_id=project.pk, action=Action.VIEW)


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    project: Any,
    message: str,
    link: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """One notice per recipient who may see the project (never the actor, who knows what
    they did), e-mailed after the transaction commits if they want it at once.

    `link` is a path on this site (e.g. /findings/12/); e-mails make it absolute.
    """
    if kind not in KINDS_BY_KEY:
        raise ValueError(f"Unknown notification kind {kind!r}; add it to KINDS.")
    seen: set[int] = set()
    made: list[Notification] = []
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        if not _may_see(user, project):
            continue
        delivery = delivery_for(user=user, kind=kind)
        email = delivery.value if user.email and delivery != Delivery.APP else ""
        made.append(
            Notification.objects.create(
                user=user,
                project=project,
                kind=kind,
                message=message,
                link=link,
                email_delivery=email,
            )
        )
    at_once = [n.pk for n in made if n.email_delivery == Delivery.IMMEDIATE]
    if at_once:
        transaction.on_commit(lambda: _queue_emails(at_once))
    return made


def _queue_emails(notification_ids: list[int]) -> None:
    from apps.notifications.tasks import notification_email_task

    for notification_id in notification_ids:
        notification_email_task.delay(notification_id)


def project_quality_managers(project: Any) -> list[User]:
    return list(
        User.objects.filter(
            memberships__project=project,
            memberships__role=ProjectRole.QUALITY_MANAGER,
            is_active=True,
        )
    )


def project_members(project: Any) -> set[int]:
    return set(Membership.objects.filter(project=project).values_list("user_id", flat=True))


@transaction.atomic
def preference_set(*, user: User, kind: str, delivery: str) -> NotificationPreference:
    if kind not in KINDS_BY_KEY:
        raise InvalidInput(f"There is no notification kind {kind!r}.", field="kind")
    if delivery not in Delivery.values:
        choices = ", ".join(Delivery.values)
        raise InvalidInput(f"Delivery must be one of {choices}.", field="delivery")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    return preference


@transaction.atomic
def preferences_set(*, user: User, choices: dict[str, str]) -> None:
    for kind, delivery in choices.items():
        preference_set(user=user, kind=kind, delivery=delivery)


def unsubscribe(*, user: User, kind: str) -> NotificationPreference:
    """No more e-mail of this kind: the notices stay in the app."""
    return preference_set(user=user, kind=kind, delivery=Delivery.APP)
