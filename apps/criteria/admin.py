from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from apps.criteria.models import Attestation, Criterion, CriterionPack, CriterionTemplate


class ReadOnlyAdmin(admin.ModelAdmin):
    """Inspection only: templates come from the catalogue migration and criteria change
    through the services (validation, audit trail), never behind their back."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CriterionTemplate)
class CriterionTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "category", "kind", "check_key", "metric", "threshold")
    list_filter = ("pack", "kind", "category", "severity", "blocking")
    search_fields = ("code", "name", "check_key", "metric")


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "project",
        "category",
        "kind",
        "metric",
        "threshold",
        "severity",
    )
    list_filter = ("kind", "category", "severity", "blocking")
    search_fields = ("code", "name", "check_key", "project__slug")
    list_select_related = ("project",)


@admin.register(CriterionPack)
class CriterionPackAdmin(ReadOnlyAdmin):
    list_display = ("slug", "version", "name", "imported_by", "imported_at")
    list_select_related = ("imported_by",)


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    """Answers change through their services (decisions move findings), never here."""

    list_display = ("criterion", "status", "submitted_by", "submitted_at", "valid_until")
    list_filter = ("status",)
    search_fields = ("criterion__code", "criterion__project__slug", "answer")
    list_select_related = ("criterion", "submitted_by")
    # Django 6's default, asked for now (it warns otherwise).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
