"""Reports: generated documents (HTML and PDF) about a run, a project or the portfolio over a
period, or a model version (its model card); a run's written analysis and sign-off; links
that share one report without an account; a project's report schedule."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class ReportKind(models.TextChoices):
    RUN = "run", "Run report"
    PROJECT = "project", "Project report"
    PORTFOLIO = "portfolio", "Portfolio report"
    MODEL_CARD = "model_card", "Model card"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def report_file_path(instance: "Report", filename: str) -> str:
    owner = f"projects/{instance.project_id}" if instance.project_id else "portfolio"
    return f"{owner}/reports/{instance.pk or 'new'}/{filename}"


class Report(models.Model):
    """One generated report. Generation is a Celery task (status, progress); the stored
    HTML and PDF never change once ready, and a signed one never changes at all: a later
    correction is a new report naming the one it replaces."""

    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    # The subject: a run; a project (and period); the portfolio (period only); a model version.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    run = models.ForeignKey(
        "evaluations.EvaluationRun",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    model_version = models.ForeignKey(
        "projects.ModelVersion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    current_step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    html = models.FileField(upload_to=report_file_path, max_length=400, blank=True)
    pdf = models.FileField(upload_to=report_file_path, max_length=400, blank=True)
    html_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # sha256 of every input: model, datasets, plan version, results as canonical JSON.
    inputs = models.JSONField(default=dict, blank=True)

    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    commentary = models.TextField(
        blank=True, help_text="The quality manager's commentary on the period (Markdown)."
    )
    schedule = models.ForeignKey(
        "ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="The schedule that made it: once ready, it is e-mailed to its subscribers.",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="portfolio") | Q(project__isnull=False),
                name="report_names_its_project",
            ),
            models.CheckConstraint(
                condition=~Q(kind="run") | Q(run__isnull=False), name="run_report_names_its_run"
            ),
            models.CheckConstraint(
                condition=~Q(kind="model_card") | Q(model_version__isnull=False),
                name="model_card_names_its_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Conclusion(models.TextChoices):
    RELEASE = "release", "Release"
    RELEASE_WITH_CONDITIONS = "release_with_conditions", "Release with conditions"
    DO_NOT_RELEASE = "do_not_release", "Do not release"


class RunAnalysis(models.Model):
    """The quality manager's written analysis of a run (Markdown, sanitised like comments),
    with a conclusion and its conditions; signing a report freezes a copy of it."""

    run = models.OneToOneField(
        "evaluations.EvaluationRun", on_delete=models.CASCADE, related_name="analysis"
    )
    text = models.TextField(blank=True)
    conclusion = models.CharField(max_length=32, choices=Conclusion.choices, blank=True)
    conditions = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"analysis of run {self.run_id}"


class ReportShare(models.Model):
    """A read-only link to one report for someone without an account: the random token is
    kept only as its sha256; it expires and can be revoked."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="shares")
    token_sha256 = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200, blank=True, help_text="Who it is for.")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share {self.pk} of report {self.report_id}"


class ReportShareOpening(models.Model):
    """Each opening of a share link: when and from which address."""

    share = models.ForeignKey(ReportShare, on_delete=models.CASCADE, related_name="openings")
    opened_at = models.DateTimeField(auto_now_add=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    format = models.CharField(max_length=8, blank=True)  # html or pdf

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"opening of share {self.share_id} at {self.opened_at}"


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class ReportSchedule(models.Model):
    """A project's report, generated on a schedule by beat and e-mailed (PDF attached, with
    a link) to its subscribers (management by default)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="report_schedule"
    )
    frequency = models.CharField(max_length=16, choices=ReportFrequency.choices)
    subscribers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    active = models.BooleanField(default=True)
    last_sent_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.frequency} report of project {self.project_id}"
