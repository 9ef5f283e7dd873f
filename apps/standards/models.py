"""Frameworks (regulations and standards) and their requirements, which criterion templates
give evidence for. Loaded from the packs in apps/standards/packs by migrations."""

from django.db import models

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
