from django.db import models


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class Category(models.TextChoices):
    """The engine's result categories; leakage, overlap and label conflicts are data_quality."""

    PERFORMANCE = "performance", "Performance"
    CALIBRATION = "calibration", "Calibration"
    ROBUSTNESS = "robustness", "Robustness"
    FAIRNESS = "fairness", "Fairness"
    WEAK_SEGMENT = "weak_segment", "Weak segments"
    DATA_QUALITY = "data_quality", "Data quality"
    DRIFT = "drift", "Drift and representativeness"
    ANOMALY = "anomaly", "Anomalies"
    EFFICIENCY = "efficiency", "Efficiency"


class Comparator(models.TextChoices):
    """How an observed value must compare with the threshold for the check to pass."""

    LE = "<=", "at most"
    LT = "<", "below"
    GE = ">=", "at least"
    GT = ">", "above"


class CriterionFields(models.Model):
    """What a template and a project's criterion share."""

    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=Category.choices)
    check_key = models.CharField(max_length=100)
    metric = models.CharField(max_length=100)
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    threshold = models.FloatField()
    severity = models.CharField(max_length=16, choices=Severity.choices)
    blocking = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    rationale = models.TextField()
    guidance = models.TextField(help_text="Remediation guidance written for a developer.")

    class Meta:
        abstract = True


class CriterionTemplate(CriterionFields):
    """An entry of the catalogue from which projects instantiate their criteria."""

    code = models.CharField(max_length=32, unique=True)
    references = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Criterion(CriterionFields):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="criteria"
    )
    template = models.ForeignKey(
        CriterionTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="criterion_code_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
