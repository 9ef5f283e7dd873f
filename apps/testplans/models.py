from django.conf import settings
from django.db import models
from django.db.models import Q


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    ARCHIVED = "archived", "Archived"


class TestPlan(models.Model):
    """A named, versioned plan. An approved version is immutable; editing makes the next one."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="test_plans"
    )
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_versions"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "version"], name="plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(status="approved"),
                name="one_approved_version_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlanCheck(models.Model):
    """One check of a plan, bound to a criterion, with validated engine parameters."""

    plan = models.ForeignKey(TestPlan, on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(
        "criteria.Criterion", on_delete=models.PROTECT, related_name="plan_checks"
    )
    check_key = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)
    dataset_roles = models.JSONField(
        default=list, blank=True, help_text="Dataset roles the check reads, e.g. evaluation."
    )
    position = models.PositiveIntegerField(default=0)
    criterion_snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text="The criterion's judgement (metric, comparator, threshold, severity, "
        "blocking) frozen when the plan is approved, so later edits of the criterion do not "
        "change what an approved plan checks.",
    )

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.check_key} for {self.criterion.code}"
