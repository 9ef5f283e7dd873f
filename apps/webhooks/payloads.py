"""What a webhook receives: the body (Qualiti's JSON or a Slack line) and its signature.

The body is made once, when the event happens, and stored as the exact text that is signed
and sent, so every retry and every "send again" carries the same bytes, id and timestamp.
"""

import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from apps.accounts.models import User
from apps.webhooks.models import WebhookEvent, WebhookFormat
from qualiti.events import Event

SIGNATURE_HEADER = "X-Qualiti-Signature"


def absolute_url(path: str) -> str:
    return settings.QUALITI_BASE_URL.rstrip("/") + path


def event_data(event: Event) -> dict[str, Any]:
    """A small description of the event's subject, with a link to its page."""
    subject = event.subject
    if event.name == WebhookEvent.RUN_FINISHED:
        return {
            "id": subject.pk,
            "status": subject.status,
            "verdict": subject.verdict or None,
            "url": absolute_url(reverse("run-detail", args=[event.project.slug, subject.pk])),
        }
    if event.name == WebhookEvent.COMMENT_CREATED:
        finding_url = absolute_url(reverse("finding-detail", args=[subject.finding_id]))
        author = subject.author
        return {
            "id": subject.pk,
            "finding_id": subject.finding_id,
            "author": author.username if author else None,
            "body": subject.body,
            "url": f"{finding_url}#comment-{subject.pk}",
        }
    data: dict[str, Any] = {
        "id": subject.pk,
        "title": subject.title,
        "status": subject.status,
        "severity": subject.severity,
        "url": absolute_url(reverse("finding-detail", args=[subject.pk])),
    }
    if event.name == WebhookEvent.FINDING_OPENED:
        data["reopened"] = bool(event.data.get("reopened"))
    elif event.name == WebhookEvent.FINDING_STATUS_CHANGED:
        data["from"] = event.data.get("from")
        data["to"] = event.data.get("to", subject.status)
        data["reason"] = event.data.get("reason", "")
    elif event.name == WebhookEvent.FINDING_ASSIGNED:
        assignee_id = event.data.get("assignee_id", getattr(subject, "assignee_id", None))
        assignee = User.objects.filter(pk=assignee_id).first() if assignee_id else None
        data["assignee"] = assignee.username if assignee else None
    return data


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(event_name: str, project_slug: str, data: dict[str, Any]) -> str:
    """One line a Slack channel shows: what happened, with a link to it."""
    if event_name == WebhookEvent.RUN_FINISHED:
        verdict = f", verdict {data['verdict']}" if data.get("verdict") else ""
        what, label = f"Run {data['id']} {data['status']}{verdict}", f"Run {data['id']}"
    elif event_name == WebhookEvent.COMMENT_CREATED:
        what = f"{data['author'] or 'Someone'} commented on finding {data['finding_id']}"
        label = "the comment"
    else:
        label = f"Finding {data['id']}"
        what = {
            WebhookEvent.FINDING_OPENED: "reopened" if data.get("reopened") else "opened",
            WebhookEvent.FINDING_STATUS_CHANGED: f"{data.get('from')} → {data.get('to')}",
            WebhookEvent.FINDING_ASSIGNED: f"assigned to {data.get('assignee') or 'nobody'}",
        }[WebhookEvent(event_name)]
        what = f"{label} ({data['severity']}) {what}: {data['title']}"
    return f"[{_slack_escape(project_slug)}] {_slack_escape(what)} <{data['url']}|{label}>"


def body_make(
    *,
    event_name: str,
    event_id: uuid.UUID,
    timestamp: datetime,
    project_slug: str,
    data: dict[str, Any],
    format: str,
) -> str:
    """The body a webhook of this format receives, as the text that is signed."""
    payload: dict[str, Any] = {
        "id": str(event_id),
        "event": event_name,
        "timestamp": timestamp.isoformat(),
        "project": project_slug,
    }
    if format == WebhookFormat.SLACK:
        payload = {"text": slack_text(event_name, project_slug, data), **payload}
    else:
        payload["data"] = data
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def signature(*, secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the secret's UTF-8 bytes."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
