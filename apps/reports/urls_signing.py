"""The sign-off's pages: a run's analysis and signature (beside the run page) and the page
that verifies a report file."""

from django.urls import path

from apps.reports import views_signing

urlpatterns = [
    path(
        "projects/<slug:slug>/runs/<int:run_id>/analysis/",
        views_signing.run_analysis_edit,
        name="run-analysis",
    ),
    path("projects/<slug:slug>/runs/<int:run_id>/sign/", views_signing.run_sign, name="run-sign"),
    path("reports/verify/", views_signing.report_verify_page, name="report-verify"),
]
