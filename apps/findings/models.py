from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.criteria.models import Category, Severity


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    FIX_SUBMITTED = "fix_submitted", "Fix submitted"
    VERIFIED = "verified", "Verified"
    RISK_ACCEPTED = "risk_accepted", "Risk accepted"
    FALSE_POSITIVE = "false_positive", "False positive"


CLOSED_FINDING_STATUSES = (
    FindingStatus.VERIFIED,
    FindingStatus.RISK_ACCEPTED,
    FindingStatus.FALSE_POSITIVE,
)


class FindingSource(models.TextChoices):
    CHECK = "check", "Check"
    MANUAL = "manual", "Manual"
    PROCESS = "process", "Process criterion"


class Finding(models.Model):
    """A tracked quality problem; a check failing again updates the same finding."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="findings"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    category = models.CharField(max_length=32, choices=Category.choices)
    status = models.CharField(
        max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )
    source = models.CharField(
        max_length=8, choices=FindingSource.choices, default=FindingSource.MANUAL
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="sha256 of project, criterion, check and subject."
    )
    criterion = models.ForeignKey(
        "criteria.Criterion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    check_key = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    first_seen_run = models.ForeignKey(
        "evaluations.EvaluationRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_seen_run = models.ForeignKey(
        "evaluations.EvaluationRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_findings",
    )
    due_date = models.DateField(null=True, blank=True)
    remediation = models.TextField(blank=True, help_text="Guidance for the developer who fixes it.")
    risk_expires_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="For optimistic locking.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fingerprint"],
                condition=~Q(fingerprint=""),
                name="one_finding_per_fingerprint",
            )
        ]
        indexes = [models.Index(fields=["project", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def overdue_days(self) -> int:
        """Days past the due date while still open; 0 otherwise."""
        if self.due_date is None or self.status in CLOSED_FINDING_STATUSES:
            return 0
        return max(0, (timezone.localdate() - self.due_date).days)


class RiskAcceptanceState(models.TextChoices):
    PENDING = "pending", "Pending approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class RiskAcceptance(models.Model):
    """A quality manager's request to accept a finding's risk until a date; approved by
    management or an admin."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="risk_acceptances")
    justification = models.TextField()
    expires_on = models.DateField()
    state = models.CharField(
        max_length=16, choices=RiskAcceptanceState.choices, default=RiskAcceptanceState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(state="pending"),
                name="one_pending_risk_acceptance",
            )
        ]

    def __str__(self) -> str:
        return f"risk acceptance of finding {self.finding_id} ({self.state})"


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    REJECTED = "rejected", "Rejected"


class CorrectiveAction(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored: set on the actions a page lists (views_finding.mark_overdue_actions).
    is_overdue: bool

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class Comment(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on finding {self.finding_id}"
