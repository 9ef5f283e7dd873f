from django.contrib import admin

from apps.monitoring.models import MonitoringSchedule, ProjectMonitoring


@admin.register(ProjectMonitoring)
class ProjectMonitoringAdmin(admin.ModelAdmin):
    list_display = ["project", "production_model_version", "plan_name", "updated_at"]
    raw_id_fields = ["project", "production_model_version", "reference_dataset"]


@admin.register(MonitoringSchedule)
class MonitoringScheduleAdmin(admin.ModelAdmin):
    """Change schedules on the project's page: the services keep beat's row in step."""

    list_display = ["project", "plan_name", "day_of_week", "time", "enabled", "last_run_at"]
    readonly_fields = ["periodic_task", "last_run_at", "last_outcome"]
    raw_id_fields = ["project", "created_by"]
