from django.contrib import admin

from apps.findings.models import Comment, CorrectiveAction, Finding, RiskAcceptance


class ReadOnlyAdmin(admin.ModelAdmin):
    """Findings and their parts change through services only (workflow, versions, history)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "severity", "status", "due_date", "assigned_team")
    list_filter = ("status", "severity", "category", "source")
    search_fields = ("title", "project__slug")
    list_select_related = ("project", "assigned_team")


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ("description", "finding", "owner", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("finding", "owner")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("finding", "author", "created_at")
    list_select_related = ("finding", "author")


@admin.register(RiskAcceptance)
class RiskAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("finding", "state", "expires_on", "requested_by", "decided_by")
    list_filter = ("state",)
    list_select_related = ("finding", "requested_by", "decided_by")
