"""The Reports tab: under projects/<slug>/reports/."""

from django.urls import path

from apps.reports import views

urlpatterns = [
    path("", views.project_reports, name="project-reports"),
    path("rows/", views.project_report_rows, name="project-report-rows"),
    path("new/", views.report_request_view, name="report-request"),
    path("runs/<int:run_id>/", views.run_report_request, name="run-report-request"),
    path("<int:report_id>/html/", views.report_file, {"fmt": "html"}, name="report-file-html"),
    path("<int:report_id>/pdf/", views.report_file, {"fmt": "pdf"}, name="report-file-pdf"),
]
