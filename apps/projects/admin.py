from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.projects.models import Dataset, ModelVersion, Project
from apps.projects.services import dataset_delete, model_version_delete
from qualiti.http import request_user


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "risk_level", "development_team", "created_at")
    list_filter = ("risk_level",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class UploadAdmin(admin.ModelAdmin):
    """Uploads are read here, not made: adding goes through the API and its checks, and
    deleting goes through the services so the stored file goes too."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(UploadAdmin):
    list_display = ("project", "sequence", "label", "artifact_format", "task_type", "created_at")
    list_filter = ("artifact_format", "task_type")
    search_fields = ("project__slug", "label", "sha256")
    list_select_related = ("project",)

    def delete_model(self, request: HttpRequest, obj: ModelVersion) -> None:
        model_version_delete(model_version=obj, actor=request_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        with transaction.atomic():  # all or none: a refusal undoes the ones before it
            for model_version in queryset:
                model_version_delete(model_version=model_version, actor=request_user(request))


@admin.register(Dataset)
class DatasetAdmin(UploadAdmin):
    list_display = ("name", "project", "role", "file_format", "validation_status", "row_count")
    list_filter = ("role", "file_format", "validation_status")
    search_fields = ("project__slug", "name", "sha256")
    list_select_related = ("project",)

    def delete_model(self, request: HttpRequest, obj: Dataset) -> None:
        dataset_delete(dataset=obj, actor=request_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Dataset]) -> None:
        with transaction.atomic():
            for dataset in queryset:
                dataset_delete(dataset=dataset, actor=request_user(request))
