from django.contrib import admin
from django.urls import include, path

from qualiti import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("apps.accounts.urls")),
    path("api/", include("qualiti.api_urls")),
    path("admin/", admin.site.urls),
    path("", include("apps.projects.urls")),
]
