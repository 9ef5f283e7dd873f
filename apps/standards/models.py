"""Frameworks (regulations and standards) and their requirements, which criterion templates
give evidence for. Loaded from the packs in apps/standards/packs by migrations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.criteria.models import CriterionTemplate


class Framework(models.Model):
    identifier = models.SlugField(
        max_length=64, unique=True, help_text="Stable identifier, e.g. eu-ai-act."
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=32, help_text="Version of the official text.")
    revision = models.PositiveIntegerField(
        default=1, help_text="Revision of Qualiti's pack for this framework."
    )
    url = models.URLField(max_length=300, help_text="Link to the official text.")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["identifier"]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    identifier = models.CharField(
        max_length=64, help_text="The requirement's identifier within its framework."
    )
    group = models.CharField(max_length=100, blank=True, help_text="Article, function or clause.")
    title = models.CharField(max_length=200, help_text="Short title, in Qualiti's own words.")
    summary = models.TextField(blank=True, help_text="What it asks, in Qualiti's own words.")
    url = models.URLField(max_length=300, help_text="Link to the official text.")
    position = models.PositiveIntegerField(default=0)
    templates = models.ManyToManyField(
        CriterionTemplate,
        related_name="requirements",
        blank=True,
        help_text="Catalogue templates that give evidence for this requirement.",
    )

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "identifier"], name="requirement_unique_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework.identifier} {self.identifier}: {self.title}"


class FrameworkRevision(models.Model):
    """One revision of a framework's pack and what changed from the revision before (the
    "What's new" page); the first revision records the framework as first published."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="[{requirement, field, before, after}] from the revision before.",
    )
    requirement_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "framework__identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "revision"], name="framework_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework.identifier} r{self.revision}"


class ProjectFramework(models.Model):
    """A framework a project has chosen to be judged against: its reports show coverage of
    each chosen framework (the Compliance tab shows any framework, chosen or not)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="framework_choices"
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="project_choices"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "framework__identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "framework"], name="framework_chosen_once_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} follows {self.framework}"


class RequirementExclusion(models.Model):
    """The quality manager's decision that a requirement does not apply to a project, with
    the written justification an auditor reads."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="requirement_exclusions"
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="exclusions"
    )
    justification = models.TextField(help_text="Why the requirement does not apply.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "requirement"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "requirement"], name="requirement_excluded_once_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement} does not apply to {self.project}"

    def clean(self) -> None:
        super().clean()
        if not self.justification.strip():
            raise ValidationError({"justification": "Say why the requirement does not apply."})
