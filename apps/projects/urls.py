"""Project pages: create a project; upload model versions and datasets."""

from django.urls import path

from apps.projects import views, views_members, views_uploads

urlpatterns = [
    path("projects/new/", views.project_create_view, name="project-create"),
    path("projects/<slug:slug>/uploads/", views_uploads.uploads, name="uploads"),
    path("projects/<slug:slug>/members/", views_members.members, name="project-members"),
    path("projects/<slug:slug>/members/add/", views_members.member_add, name="project-member-add"),
    path(
        "projects/<slug:slug>/members/<int:pk>/role/",
        views_members.member_role,
        name="project-member-role",
    ),
    path(
        "projects/<slug:slug>/members/<int:pk>/remove/",
        views_members.member_remove,
        name="project-member-remove",
    ),
    path(
        "projects/<slug:slug>/uploads/models/",
        views_uploads.model_version_upload,
        name="model-version-upload",
    ),
    path(
        "projects/<slug:slug>/uploads/models/<int:pk>/",
        views_uploads.model_version_detail,
        name="model-version-page",
    ),
    path(
        "projects/<slug:slug>/uploads/models/<int:pk>/card/",
        views_uploads.model_version_card_edit,
        name="model-version-card-edit",
    ),
    path(
        "projects/<slug:slug>/uploads/datasets/",
        views_uploads.dataset_upload,
        name="dataset-upload",
    ),
    path(
        "projects/<slug:slug>/uploads/datasets/<int:pk>/",
        views_uploads.dataset_detail,
        name="dataset-page",
    ),
    path(
        "projects/<slug:slug>/uploads/datasets/<int:pk>/status/",
        views_uploads.dataset_status,
        name="dataset-status",
    ),
]
