import logging
import smtplib

from celery import shared_task

from apps.notifications import email, sla

logger = logging.getLogger(__name__)

# A mail server that is down or refuses for a while: try again, waiting longer each time
# (about 1, 2, 4… minutes, at most 30, for about a day in all).
MAIL_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(
    name="notifications.email_send",
    acks_late=True,
    time_limit=120,
    autoretry_for=MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=50,
)
def notification_email_task(notification_id: int) -> bool:
    return email.notification_email_send(notification_id=notification_id)


@shared_task(
    name="notifications.digest_send",
    acks_late=True,
    time_limit=300,
    autoretry_for=MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=50,
)
def digest_task(user_id: int) -> int:
    return email.digest_send(user_id=user_id)


@shared_task(name="notifications.digests_send", acks_late=True, time_limit=300)
def digests_task() -> int:
    """Daily: one digest task per user with notices waiting (each retried on its own)."""
    users = email.digest_recipients()
    for user_id in users:
        digest_task.delay(user_id)
    return len(users)


@shared_task(name="notifications.sla_warnings_send", acks_late=True, time_limit=600)
def sla_warnings_task() -> int:
    return sla.sla_warnings_send()
