from django.contrib import admin

from apps.evaluations.models import CheckResult, EvaluationRun


@admin.register(EvaluationRun)
class EvaluationRunAdmin(admin.ModelAdmin):
    """Read-only: runs are written by the workers."""

    list_display = ("id", "project", "model_version", "status", "verdict", "progress", "created_at")
    list_filter = ("status", "verdict", "triggered_by")
    list_select_related = ("project", "model_version")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin):
    list_display = ("run", "check_key", "subject", "outcome", "severity", "blocking")
    list_filter = ("outcome", "category")
    list_select_related = ("run",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
