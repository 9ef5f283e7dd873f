from django.urls import path

from apps.findings import views, views_finding, views_my_work, views_ownership, views_risk

urlpatterns = [
    path("findings/", views.finding_list_page, name="finding-list"),
    path("findings/bulk/", views.finding_bulk, name="finding-bulk"),
    path("findings/export.csv", views.finding_export, name="finding-export"),
    path("findings/<int:pk>/", views_finding.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/comment/", views_finding.finding_comment, name="finding-comment"),
    path("findings/<int:pk>/status/", views_finding.finding_status, name="finding-status"),
    path("findings/<int:pk>/assign/", views_finding.finding_assign, name="finding-assign"),
    path(
        "findings/<int:pk>/actions/",
        views_finding.finding_action_create,
        name="finding-action-create",
    ),
    path(
        "findings/<int:pk>/actions/<int:action_id>/",
        views_finding.finding_action_update,
        name="finding-action-update",
    ),
    path(
        "findings/<int:pk>/actions/<int:action_id>/take/",
        views_ownership.finding_action_take,
        name="finding-action-take",
    ),
    path(
        "findings/<int:pk>/actions/propose/",
        views_ownership.finding_action_propose,
        name="finding-action-propose",
    ),
    path("findings/<int:pk>/fix/", views_ownership.finding_fix_submit, name="finding-fix-submit"),
    path("findings/<int:pk>/risk/", views_risk.finding_risk_request, name="finding-risk-request"),
    path(
        "findings/<int:pk>/risk/<int:acceptance_id>/decide/",
        views_risk.finding_risk_decide,
        name="finding-risk-decide",
    ),
    path("my-work/", views_my_work.my_work, name="my-work"),
]
