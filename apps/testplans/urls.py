from django.urls import path

from apps.testplans import views, views_checks

# Mounted at projects/<slug>/plans/.
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("<int:pk>/revise/", views.plan_revise, name="plan-revise"),
    path("<int:pk>/archive/", views.plan_archive, name="plan-archive"),
    path("<int:pk>/diff/", views.plan_diff, name="plan-diff"),
    path("<int:pk>/checks/params/", views_checks.plan_check_params, name="plan-check-params"),
    path("<int:pk>/checks/add/", views_checks.plan_check_add, name="plan-check-add"),
    path(
        "<int:pk>/checks/<int:check_id>/edit/",
        views_checks.plan_check_edit,
        name="plan-check-edit",
    ),
    path(
        "<int:pk>/checks/<int:check_id>/remove/",
        views_checks.plan_check_remove,
        name="plan-check-remove",
    ),
]
