from django.contrib import admin
from django.http import HttpRequest

from apps.criteria.models import Criterion, CriterionPack, CriterionTemplate


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
    list_display = ("code", "name", "category", "check_key", "metric", "comparator", "threshold")
    list_filter = ("pack", "category", "severity", "blocking")
    search_fields = ("code", "name", "check_key", "metric")


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "project", "category", "metric", "threshold", "severity")
    list_filter = ("category", "severity", "blocking")
    search_fields = ("code", "name", "check_key", "project__slug")
    list_select_related = ("project",)


@admin.register(CriterionPack)
class CriterionPackAdmin(ReadOnlyAdmin):
    list_display = ("slug", "version", "name", "imported_by", "imported_at")
    list_select_related = ("imported_by",)
