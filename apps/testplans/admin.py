from django.contrib import admin

from apps.testplans.models import PlanCheck, TestPlan


class PlanCheckInline(admin.TabularInline):
    model = PlanCheck
    extra = 0
    fields = ("criterion", "check_key", "params", "dataset_roles", "position")
    readonly_fields = fields
    can_delete = False


@admin.register(TestPlan)
class TestPlanAdmin(admin.ModelAdmin):
    """Read-only: plans change through their services (versioning, approval, history)."""

    list_display = ("name", "version", "project", "status", "approved_by", "approved_at")
    list_filter = ("status",)
    search_fields = ("name", "project__slug")
    list_select_related = ("project", "approved_by")
    inlines = [PlanCheckInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
