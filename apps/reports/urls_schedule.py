"""Under projects/<slug>/reports/schedule/: a project's report schedule."""

from django.urls import path

from apps.reports import views_schedule

urlpatterns = [path("", views_schedule.report_schedule, name="report-schedule")]
