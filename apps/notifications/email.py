"""E-mails of notices: one at once, or a daily digest; each with a plain-text and an HTML
part and a link that unsubscribes from its kind (a signed token naming user and kind)."""

import logging
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Notification, User
from apps.notifications.kinds import KINDS_BY_KEY, Delivery
from apps.notifications.services import delivery_for
from qualiti.errors import InvalidInput

logger = logging.getLogger(__name__)

_UNSUBSCRIBE_SALT = "qualiti.notifications.unsubscribe"
DIGEST_MAX_ITEMS = 200


def unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[User, str]:
    """The user and kind a token names; InvalidInput for a forged or broken token."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"], is_active=True)
        kind = data["k"]
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist) as error:
        raise InvalidInput("This unsubscribe link is not valid (it may be cut short).") from error
    if kind not in KINDS_BY_KEY:
        raise InvalidInput("This unsubscribe link names no kind of notice we send.")
    return user, kind


def absolute(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.QUALITI_BASE_URL + path


def unsubscribe_url(*, user: User, kind: str) -> str:
    token = unsubscribe_token(user=user, kind=kind)
    return absolute(reverse("notifications-unsubscribe", args=[token]))


def _message(
    *, user: User, subject: str, template: str, context: dict, unsubscribe: str
) -> EmailMultiAlternatives:
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("notification-preferences")),
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notice now; False when there is nothing to send (sent already, or the
    user has since chosen the app only or the digest). A failure to send raises, so the
    task retries, and the notice stays unsent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user", "project")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .exclude(email_delivery="")
            .first()
        )
        if notification is None:
            return False
        user = notification.user
        delivery = delivery_for(user=user, kind=notification.kind)
        if delivery != Delivery.IMMEDIATE or not user.email:
            notification.email_delivery = delivery.value if delivery == Delivery.DIGEST else ""
            notification.save(update_fields=["email_delivery"])
            return False
        kind = KINDS_BY_KEY[notification.kind]
        message = _message(
            user=user,
            subject=f"[Qualiti] {notification.message[:90]}",
            template="notice",
            context={
                "notification": notification,
                "kind": kind,
                "link": absolute(notification.link),
            },
            unsubscribe=unsubscribe_url(user=user, kind=notification.kind),
        )
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def digest_send(*, user_id: int, now: datetime | None = None) -> int:
    """One e-mail with every digest notice of the user not yet sent; how many it held."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.get(pk=user_id)
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("project")
            .filter(user=user, email_delivery=Delivery.DIGEST, emailed_at__isnull=True)
            .order_by("created_at", "id")
        )
        wanted: list[Notification] = []
        dropped: list[Notification] = []
        for notification in pending:
            choice = delivery_for(user=user, kind=notification.kind)
            (wanted if choice != Delivery.APP and user.email else dropped).append(notification)
        if dropped:
            Notification.objects.filter(pk__in=[n.pk for n in dropped]).update(email_delivery="")
        if not wanted:
            return 0
        kinds = sorted({n.kind for n in wanted})
        items = [{"notification": n, "link": absolute(n.link)} for n in wanted]
        message = _message(
            user=user,
            subject=f"[Qualiti] Your daily digest: {len(wanted)} "
            f"notice{'' if len(wanted) == 1 else 's'}",
            template="digest",
            context={
                "items": items[:DIGEST_MAX_ITEMS],
                "more": max(0, len(items) - DIGEST_MAX_ITEMS),
                "unsubscribe_links": [
                    {"kind": KINDS_BY_KEY[k], "url": unsubscribe_url(user=user, kind=k)}
                    for k in kinds
                ],
            },
            unsubscribe=unsubscribe_url(user=user, kind=kinds[0]),
        )
        message.send()
        Notification.objects.filter(pk__in=[n.pk for n in wanted]).update(emailed_at=now)
    return len(wanted)


def digest_recipients() -> list[int]:
    return list(
        Notification.objects.filter(email_delivery=Delivery.DIGEST, emailed_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
