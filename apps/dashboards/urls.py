from django.urls import path

from apps.dashboards import views, views_glossary

urlpatterns = [
    path("", views.portfolio, name="home"),
    path("glossary/", views_glossary.glossary, name="glossary"),
    path("projects/<slug:slug>/", views.project_overview, name="project-overview"),
]
