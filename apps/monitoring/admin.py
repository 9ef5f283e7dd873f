from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.monitoring.models import MonitoringSchedule, ProjectMonitoring
from apps.monitoring.services.schedules import monitoring_schedule_delete


@admin.register(ProjectMonitoring)
class ProjectMonitoringAdmin(admin.ModelAdmin):
    list_display = ["project", "production_model_version", "plan_name", "updated_at"]
    raw_id_fields = ["project", "production_model_version", "reference_dataset"]


@admin.register(MonitoringSchedule)
class MonitoringScheduleAdmin(admin.ModelAdmin):
    """Read here, changed on the project's schedules page: the services keep beat's row
    (django-celery-beat's PeriodicTask) in step, which a plain admin save would not."""

    list_display = ["project", "plan_name", "day_of_week", "time", "enabled", "last_run_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: MonitoringSchedule | None = None
    ) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: MonitoringSchedule) -> None:
        monitoring_schedule_delete(user=None, schedule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for schedule in queryset:
            monitoring_schedule_delete(user=None, schedule=schedule)
