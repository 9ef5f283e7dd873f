import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


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
    # Not an engine category: process criteria (documentation, oversight, records) and
    # the findings their failed answers open.
    GOVERNANCE = "governance", "Governance and process"


class Comparator(models.TextChoices):
    """How an observed value must compare with the threshold for the check to pass."""

    LE = "<=", "at most"
    LT = "<", "below"
    GE = ">=", "at least"
    GT = ">", "above"


class CriterionKind(models.TextChoices):
    """A measured criterion is judged by an engine check in runs; a process criterion by a
    person's attested answer, accepted by the quality manager."""

    MEASURED = "measured", "Measured by a check"
    PROCESS = "process", "Answered by a person"


class AnswererRole(models.TextChoices):
    QUALITY_MANAGER = "quality_manager", "Quality manager"
    DEVELOPER = "developer", "Developer"


class EvidenceKind(models.TextChoices):
    FILE = "file", "A file"
    LINK = "link", "A link"
    FILE_OR_LINK = "file_or_link", "A file or a link"


MEASURED_FIELDS = ("check_key", "metric", "comparator", "threshold")
PROCESS_FIELDS = ("question", "answered_by_role", "evidence_expected", "validity_days")


class CriterionFields(models.Model):
    """What a template and a project's criterion share."""

    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=Category.choices)
    kind = models.CharField(
        max_length=16, choices=CriterionKind.choices, default=CriterionKind.MEASURED
    )
    check_key = models.CharField(max_length=100, blank=True)
    metric = models.CharField(max_length=100, blank=True)
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    question = models.TextField(blank=True, help_text="What a process criterion asks.")
    answered_by_role = models.CharField(
        max_length=32,
        choices=AnswererRole.choices,
        blank=True,
        help_text="Who must answer a process criterion.",
    )
    evidence_expected = models.CharField(
        max_length=16,
        choices=EvidenceKind.choices,
        blank=True,
        help_text="The evidence an answer must carry.",
    )
    validity_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long an accepted answer stays valid, in days."
    )
    severity = models.CharField(max_length=16, choices=Severity.choices)
    blocking = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    rationale = models.TextField()
    guidance = models.TextField(help_text="Remediation guidance written for a developer.")

    class Meta:
        abstract = True

    def clean(self) -> None:
        """A measured criterion names its check and bound; a process criterion its question,
        who answers, the evidence and how long an answer lasts, and no check."""
        super().clean()
        needed, unwanted = (
            (MEASURED_FIELDS, PROCESS_FIELDS)
            if self.kind == CriterionKind.MEASURED
            else (PROCESS_FIELDS, MEASURED_FIELDS)
        )
        errors = {
            name: f"A {self.kind} criterion needs this."
            for name in needed
            if getattr(self, name) in (None, "")
        }
        errors |= {
            name: f"A {self.kind} criterion has no {name.replace('_', ' ')}."
            for name in unwanted
            if getattr(self, name) not in (None, "")
        }
        if errors:
            raise ValidationError(errors)


class CriterionTemplate(CriterionFields):
    """An entry of the catalogue from which projects instantiate their criteria."""

    code = models.CharField(max_length=32, unique=True)
    references = models.TextField(blank=True)
    pack = models.SlugField(
        max_length=64, default="qualiti", help_text="The pack the template came from."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Grows each time the pack changes this template."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def local_code(self) -> str:
        """The code as its pack writes it: an imported template is stored as
        `<pack>:<code>` (see apps/criteria/packs), a shipped one as its code."""
        return self.code.removeprefix(f"{self.pack}:")


class CriterionPack(models.Model):
    """A pack of criterion templates (and frameworks) imported from YAML: what it says about
    itself, and who imported it when. The shipped pack, `qualiti`, has no row."""

    slug = models.SlugField(max_length=24, unique=True, help_text="The pack's id, e.g. acme.")
    version = models.PositiveIntegerField(help_text="The pack's version, as its author counts.")
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(help_text="When the pack was last imported.")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"


class Criterion(CriterionFields):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="criteria"
    )
    template = models.ForeignKey(
        CriterionTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The template's version the criterion was taken from."
    )
    answerer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A person who must answer this process criterion, instead of a role.",
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


class TemplateRevision(models.Model):
    """A catalogue template as one version of it was: the values a project's criterion may
    still hold, and what changed from the version before (the "What's new" page)."""

    template = models.ForeignKey(
        CriterionTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    values = models.JSONField(default=dict, help_text="The template's values at this version.")
    changes = models.JSONField(
        default=list, blank=True, help_text="[{field, before, after}] from the version before."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "template__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "version"], name="template_revision_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.version}"


class AttestationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Sent back"
    EXPIRED = "expired", "Expired"


class ProcessStatus(models.TextChoices):
    """Where a process criterion stands, judged from its answers (apps.criteria.selectors)."""

    SATISFIED = "satisfied", "Satisfied"
    FAILING = "failing", "Failing"
    UNANSWERED = "unanswered", "Not answered yet"
    PENDING = "pending", "Waiting for a decision"


def attestation_evidence_path(instance: "Attestation", filename: str) -> str:
    # A folder of its own per upload: two answers may carry files of the same name.
    return f"projects/{instance.criterion.project_id}/attestations/{uuid.uuid4().hex}/{filename}"


class Attestation(models.Model):
    """A person's answer to a process criterion, with its evidence (a file, a link or
    both), accepted or sent back by the quality manager. An accepted answer holds until
    `valid_until`; then the periodic expiry marks it expired."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="attestations")
    answer = models.TextField(help_text="The answer to the criterion's question.")
    evidence_file = models.FileField(
        upload_to=attestation_evidence_path, max_length=400, blank=True, help_text="A document."
    )
    evidence_name = models.CharField(
        max_length=255, blank=True, help_text="The evidence file's name as uploaded."
    )
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    evidence_url = models.URLField(max_length=1000, blank=True, help_text="A link to evidence.")
    status = models.CharField(
        max_length=16,
        choices=AttestationStatus.choices,
        default=AttestationStatus.SUBMITTED,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(
        blank=True, help_text="Why it was sent back (required), or a note on the acceptance."
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="The last day an accepted answer holds."
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion"],
                condition=Q(status="submitted"),
                name="one_attestation_waiting_per_criterion",
            )
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"attestation {self.pk} of criterion {self.criterion_id} ({self.status})"
