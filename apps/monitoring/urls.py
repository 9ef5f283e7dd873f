"""Under projects/<slug>/monitoring/: the Monitoring tab, its settings and schedules."""

from django.urls import path

from apps.monitoring import views

urlpatterns = [
    path("", views.monitoring, name="monitoring"),
    path("settings/", views.monitoring_settings, name="monitoring-settings"),
    path("schedules/", views.monitoring_schedules, name="monitoring-schedules"),
    path("schedules/<int:pk>/", views.monitoring_schedule_edit, name="monitoring-schedule-edit"),
    path(
        "schedules/<int:pk>/delete/",
        views.monitoring_schedule_delete,
        name="monitoring-schedule-delete",
    ),
]
