"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what arrives, and the helpers that
send what Qualiti queued through it."""

import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from apps.accounts.models import Notification
from apps.notifications.email import digest_recipients, digest_send, notification_email_send
from apps.notifications.kinds import Delivery


class Inbox:
    """aiosmtpd's handler: every message that arrives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def recipients(self) -> set[str]:
        return {address for m in self.messages for address in m["X-Envelope-To"].split(", ")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_server() -> tuple[Controller, Inbox, int]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox, port


def send_queued_emails() -> int:
    """What the e-mail task does for each notice queued at once; how many went out."""
    pending = Notification.objects.filter(
        email_delivery=Delivery.IMMEDIATE, emailed_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(notification_email_send(notification_id=pk) for pk in list(pending))


def send_digests() -> int:
    return sum(digest_send(user_id=user_id) > 0 for user_id in digest_recipients())


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()
