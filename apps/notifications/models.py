from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.notifications.kinds import Delivery


class NotificationPreference(models.Model):
    """How one user wants one kind of notice delivered (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class SlaThreshold(models.TextChoices):
    DUE_SOON = "due_soon", "Due within two days"
    OVERDUE = "overdue", "Overdue"


class SlaWarning(models.Model):
    """A warning sent once for a finding or an action, per threshold and due date (a new
    due date warns again)."""

    finding = models.ForeignKey(
        "findings.Finding", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "findings.CorrectiveAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    threshold = models.CharField(max_length=16, choices=SlaThreshold.choices)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "threshold", "due_date"],
                condition=Q(finding__isnull=False),
                name="one_sla_warning_per_finding",
            ),
            models.UniqueConstraint(
                fields=["action", "threshold", "due_date"],
                condition=Q(action__isnull=False),
                name="one_sla_warning_per_action",
            ),
            models.CheckConstraint(
                condition=Q(finding__isnull=False) ^ Q(action__isnull=False),
                name="sla_warning_names_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threshold} warning for {self.finding_id or self.action_id}"
