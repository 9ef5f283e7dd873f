"""Outgoing webhooks: an endpoint of a project, each event sent to it, and each try."""

from django.conf import settings
from django.db import models


class WebhookEvent(models.TextChoices):
    RUN_FINISHED = "run.finished", "A run finished or failed"
    FINDING_OPENED = "finding.opened", "A finding opened or reopened"
    FINDING_STATUS_CHANGED = "finding.status_changed", "A finding changed status"
    FINDING_ASSIGNED = "finding.assigned", "A finding was assigned"
    COMMENT_CREATED = "comment.created", "A comment was written"


class WebhookFormat(models.TextChoices):
    JSON = "json", "JSON (Qualiti's payload)"
    SLACK = "slack", "Slack-compatible (a `text` line)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Webhook(models.Model):
    """An endpoint that receives a project's events, signed with its own secret."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=500)  # checked by safe_http.url_problem, not URLValidator
    events = models.JSONField(default=list, help_text="Names of the events sent.")
    # Kept in clear: it keys the HMAC of every delivery. Shown once, when created.
    secret = models.CharField(max_length=100)
    format = models.CharField(max_length=8, choices=WebhookFormat.choices, default="json")
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Since when every try has failed (None after a success): a day of it disables it.
    failing_since = models.DateTimeField(null=True, blank=True)
    # The rate limit: the next moment a try may start (claimed by a conditional UPDATE).
    next_send_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} → {self.url}"

    def wants(self, event_name: str) -> bool:
        return event_name in self.events


class WebhookDelivery(models.Model):
    """One event sent to one webhook: the exact body that was signed, and its outcome."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField()
    payload = models.TextField(help_text="The raw body, exactly as signed and sent.")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # Tries allowed in all: the retry budget at first, one more per "send again".
    attempt_limit = models.PositiveIntegerField(default=1)
    # When the next try is due; a worker claims it by pushing this forward (a lease).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One try of a delivery: when, the answer's status code, or what went wrong."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
