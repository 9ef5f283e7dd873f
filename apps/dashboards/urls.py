from django.urls import path

from apps.dashboards import views

urlpatterns = [
    path("", views.portfolio, name="home"),
    path("projects/<slug:slug>/", views.project_overview, name="project-overview"),
]
