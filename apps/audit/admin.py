from django.contrib import admin

from apps.audit.models import StatusChange


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "project",
        "content_type",
        "object_id",
        "kind",
        "from_status",
        "to_status",
        "actor",
    )
    list_filter = ("content_type", "kind", "to_status")
    list_select_related = ("project", "content_type", "actor")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # history is written by services only
