from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from apps.criteria.views_catalogue import catalogue_whats_new
from apps.reports import urls_sharing
from qualiti import health

project = "projects/<slug:slug>/"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Pages that do not link our icon (the browsable API) make the browser ask for this.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
    path("accounts/notifications/", include("apps.notifications.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("api/", include("qualiti.api_urls")),
    path("admin/", admin.site.urls),
    # A report's share links: the public link (no login) and its links page.
    path("shared/", include(urls_sharing.shared_urlpatterns)),
    path("reports/<int:report_pk>/shares/", include(urls_sharing.urlpatterns)),
    path("catalogue/whats-new/", catalogue_whats_new, name="catalogue-whats-new"),
    path(f"{project}criteria/", include("apps.criteria.urls")),
    path(f"{project}compliance/", include("apps.standards.urls")),
    path(f"{project}plans/", include("apps.testplans.urls")),
    path(f"{project}runs/", include("apps.evaluations.urls")),
    path(f"{project}webhooks/", include("apps.webhooks.urls")),
    path(f"{project}monitoring/", include("apps.monitoring.urls")),
    path(f"{project}reports/schedule/", include("apps.reports.urls_schedule")),
    path(f"{project}reports/", include("apps.reports.urls")),
    path(f"{project}uploads/models/<int:pk>/", include("apps.reports.urls_model_card")),
    path("guide/", include("apps.guide.urls")),
    path("", include("apps.reports.urls_signing")),  # a run's analysis and sign-off, verify
    path("", include("apps.findings.urls")),
    path("", include("apps.projects.urls")),
    path("", include("apps.dashboards.urls")),
]
