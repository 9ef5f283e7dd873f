from django.urls import path

from apps.standards import views

# Mounted at projects/<slug>/compliance/.
urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("frameworks/follow/", views.framework_follow, name="compliance-framework-follow"),
    path("frameworks/unfollow/", views.framework_unfollow, name="compliance-framework-unfollow"),
    path(
        "requirements/<int:pk>/not-applicable/",
        views.requirement_not_applicable,
        name="compliance-requirement-exclude",
    ),
    path(
        "requirements/<int:pk>/applicable/",
        views.requirement_applicable,
        name="compliance-requirement-include",
    ),
    path(
        "requirements/<int:pk>/add-templates/",
        views.requirement_add_templates,
        name="compliance-requirement-fill",
    ),
]
