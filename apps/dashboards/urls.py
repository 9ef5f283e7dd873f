from django.urls import path

from apps.dashboards import views, views_glossary, views_search

urlpatterns = [
    path("", views.portfolio, name="home"),
    path("glossary/", views_glossary.glossary, name="glossary"),
    path("search/", views_search.search_page, name="search"),
    path("projects/<slug:slug>/", views.project_overview, name="project-overview"),
]
