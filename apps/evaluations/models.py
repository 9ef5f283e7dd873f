from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Verdict(models.TextChoices):
    PASS = "pass", "Pass"
    PASS_WITH_WARNINGS = "pass_with_warnings", "Pass with warnings"
    FAIL = "fail", "Fail"


class Trigger(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"
    UPLOAD = "upload", "Upload"
    SCHEDULE = "schedule", "Schedule"
    MONITORING = "monitoring", "Production sample"  # a monitoring run on a sample's arrival


class EvaluationRun(models.Model):
    """One evaluation of a model version against an approved plan; the row is the job."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="runs")
    test_plan = models.ForeignKey(
        "testplans.TestPlan", on_delete=models.PROTECT, related_name="runs"
    )
    model_version = models.ForeignKey(
        "projects.ModelVersion", on_delete=models.PROTECT, related_name="runs"
    )
    dataset = models.ForeignKey("projects.Dataset", on_delete=models.PROTECT, related_name="+")
    reference_dataset = models.ForeignKey(
        "projects.Dataset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    training_dataset = models.ForeignKey(
        "projects.Dataset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When its message was (last) sent: a queued run whose message was lost is sent again.
    queued_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    current_step = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(
        default=False, help_text="Set by a cancel while running; the worker stops at its next step."
    )
    verdict = models.CharField(max_length=24, choices=Verdict.choices, blank=True)
    summary = models.JSONField(
        default=dict,
        blank=True,
        help_text="Counts of pass, fail, error, skipped; blocking failures.",
    )
    triggered_by = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.PAGE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.model_version} ({self.status})"


class Outcome(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"
    SKIPPED = "skipped", "Skipped"


class CheckResult(models.Model):
    """One check's outcome on one subject (a column, a group, a slice, or the whole data)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    plan_check = models.ForeignKey(
        "testplans.PlanCheck", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    criterion = models.ForeignKey(
        "criteria.Criterion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    check_key = models.CharField(max_length=100)
    category = models.CharField(max_length=32)
    subject = models.CharField(max_length=500, blank=True, help_text="Empty for the whole dataset.")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    observed = models.JSONField(null=True, blank=True)
    metric = models.CharField(max_length=100, blank=True, help_text="The metric judged.")
    comparator = models.CharField(max_length=2, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    ci = models.JSONField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    flagged_rows = models.JSONField(default=list, blank=True)
    sampling = models.JSONField(null=True, blank=True)
    severity = models.CharField(max_length=16, blank=True)
    blocking = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            # A retried run writes each result once.
            models.UniqueConstraint(
                fields=["run", "plan_check", "check_key", "subject"], name="one_result_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_key}[{self.subject or '*'}] {self.outcome}"
