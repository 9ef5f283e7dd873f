from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class HistoryKind(models.TextChoices):
    """What a history line records. Lines that are not a change of status keep the
    subject's status as both `from_status` and `to_status`, so every reader of statuses
    can go on reading them."""

    STATUS = "status", "Status change"
    ASSIGNMENT = "assignment", "Assignment"
    ACTION_TAKEN = "action_taken", "Action taken"
    ACTION_PROPOSED = "action_proposed", "Action proposed"


class StatusChange(models.Model):
    """One line of history of anything with a status: who, when, from, to and why. Most
    are changes of status; `kind` names the others (an assignment, an action taken)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="status_changes"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    kind = models.CharField(max_length=24, choices=HistoryKind.choices, default=HistoryKind.STATUS)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(
        "evaluations.EvaluationRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The evaluation run that caused the change, if a run did.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id}: {self.from_status} → {self.to_status}"
