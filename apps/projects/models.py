from typing import cast

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models


class RiskLevel(models.TextChoices):
    """How much harm the AI system can do, in the spirit of the EU AI Act's tiers."""

    MINIMAL = "minimal", "Minimal"
    LIMITED = "limited", "Limited"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


DEFAULT_SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180}


class Project(models.Model):
    """An AI system under quality review."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    risk_level = models.CharField(
        max_length=16, choices=RiskLevel.choices, default=RiskLevel.LIMITED
    )
    development_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    run_on_upload = models.BooleanField(default=False)
    sla_critical_days = models.PositiveIntegerField(
        default=DEFAULT_SLA_DAYS["critical"], validators=[MinValueValidator(1)]
    )
    sla_high_days = models.PositiveIntegerField(
        default=DEFAULT_SLA_DAYS["high"], validators=[MinValueValidator(1)]
    )
    sla_medium_days = models.PositiveIntegerField(
        default=DEFAULT_SLA_DAYS["medium"], validators=[MinValueValidator(1)]
    )
    sla_low_days = models.PositiveIntegerField(
        default=DEFAULT_SLA_DAYS["low"], validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def sla_days(self, severity: str) -> int:
        """Days a finding of this severity has before it is overdue."""
        return getattr(self, f"sla_{severity}_days")


class TaskType(models.TextChoices):
    BINARY = "binary", "Binary classification"
    MULTICLASS = "multiclass", "Multiclass classification"
    REGRESSION = "regression", "Regression"


class ArtifactFormat(models.TextChoices):
    SKOPS = "skops", "skops"
    ONNX = "onnx", "ONNX"
    NONE = "none", "None (predictions only)"


def model_artifact_path(instance: "ModelVersion", filename: str) -> str:
    return f"projects/{instance.project_id}/models/{instance.sha256[:16]}/{filename}"


def dataset_file_path(instance: "Dataset", filename: str) -> str:
    return f"projects/{instance.project_id}/datasets/{instance.sha256[:16]}/{filename}"


# The model card's descriptive fields, in the card's order.
MODEL_CARD_FIELDS = (
    "intended_use", "out_of_scope_uses", "owners", "training_data_description",
    "evaluation_data_description", "known_limitations", "ethical_considerations",
)  # fmt: skip
MODEL_CARD_TEXT_LIMIT = 10_000


def _card_text(verbose_name: str, help_text: str) -> models.TextField:
    return models.TextField(
        verbose_name,
        blank=True,
        help_text=help_text,
        validators=[MaxLengthValidator(MODEL_CARD_TEXT_LIMIT)],
    )


class ModelVersion(models.Model):
    """One uploaded version of the project's model; `sequence` orders them (1, 2, 3…)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="model_versions")
    label = models.CharField(max_length=120)
    sequence = models.PositiveIntegerField(editable=False)
    artifact = models.FileField(upload_to=model_artifact_path, max_length=400, blank=True)
    artifact_format = models.CharField(max_length=8, choices=ArtifactFormat.choices)
    task_type = models.CharField(max_length=16, choices=TaskType.choices)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    features = models.JSONField(default=list, blank=True)
    artifact_audit = models.JSONField(
        default=dict, blank=True, help_text="What the upload audit saw, e.g. a skops file's types."
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="What the upload accepted but found odd, in words."
    )
    notes = models.TextField(blank=True)
    # The model card's descriptive fields (its numbers come from the runs).
    intended_use = _card_text("intended use", "What the model is for, and for whom.")
    out_of_scope_uses = _card_text(
        "out-of-scope uses", "Uses the model was not made or tested for."
    )
    owners = _card_text("owners", "Who answers for the model; the uploader and team when empty.")
    training_data_description = _card_text(
        "training data", "What the model was trained on: source, period, population."
    )
    evaluation_data_description = _card_text(
        "evaluation data", "What it was evaluated on, and how that data was chosen."
    )
    known_limitations = _card_text(
        "known limitations", "Where the model is known to do worse or not to apply."
    )
    ethical_considerations = _card_text(
        "ethical considerations", "Risks to people, use of sensitive data, mitigations."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"], name="model_sequence_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.slug} v{self.sequence} ({self.label})"


def model_card_field(name: str) -> models.TextField:
    """One of the model card's descriptive fields, for its label and help text."""
    if name not in MODEL_CARD_FIELDS:
        raise ValueError(f"{name!r} is not a model card field.")
    return cast(models.TextField, ModelVersion._meta.get_field(name))


class DatasetRole(models.TextChoices):
    TRAIN = "train", "Training"
    EVALUATION = "evaluation", "Evaluation"
    REFERENCE = "reference", "Reference"
    PRODUCTION_SAMPLE = "production_sample", "Production sample"


class DatasetFormat(models.TextChoices):
    CSV = "csv", "CSV"
    PARQUET = "parquet", "Parquet"


class ValidationStatus(models.TextChoices):
    VALIDATING = "validating", "Validating"
    VALID = "valid", "Valid"
    INVALID = "invalid", "Invalid"


class Dataset(models.Model):
    """A data file of the project; its full read happens in the background (validation)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=24, choices=DatasetRole.choices)
    file = models.FileField(upload_to=dataset_file_path, max_length=400)
    file_format = models.CharField(max_length=8, choices=DatasetFormat.choices)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    row_count = models.PositiveBigIntegerField(null=True, blank=True)
    column_count = models.PositiveIntegerField(null=True, blank=True)
    columns = models.JSONField(default=list, blank=True, help_text="Column names from the header.")
    schema = models.JSONField(default=dict, blank=True, help_text="Inferred type per column.")
    target_column = models.CharField(max_length=200, blank=True)
    sensitive_columns = models.JSONField(default=list, blank=True)
    prediction_column = models.CharField(max_length=200, blank=True)
    probability_columns = models.JSONField(default=list, blank=True)
    model_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prediction_datasets",
        help_text="The model version that produced the prediction columns, if any.",
    )
    validation_status = models.CharField(
        max_length=16, choices=ValidationStatus.choices, default=ValidationStatus.VALIDATING
    )
    validation_error = models.TextField(blank=True)
    validation_problems = models.JSONField(
        default=list, blank=True, help_text="Broken rows: [{row, column, problem}]."
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="What the validation accepted but found odd."
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
