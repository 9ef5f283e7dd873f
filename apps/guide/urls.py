from django.urls import path

from apps.guide import views

urlpatterns = [
    path("", views.guide_index, name="guide"),
    path("checks/<str:key>/", views.check_page, name="guide-check"),
    # Identifiers of frameworks and requirements hold dots ("nist-ai-rmf-1.0", "A.6.2.4").
    path(
        "frameworks/<str:framework>/<str:requirement>/",
        views.requirement_page,
        name="guide-requirement",
    ),
]
