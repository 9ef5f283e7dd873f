"""/api/v1/projects/{slug}/monitoring/: what a project monitors in production (the model
version that serves, the plan each production sample is checked with, the reference the
samples are compared with), so a delivery pipeline can name the version it just released.
Everyone who sees the project reads it; its quality manager (or an admin) changes it."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import Action
from apps.monitoring.models import ProjectMonitoring
from apps.monitoring.services.settings import monitoring_for, monitoring_settings_set
from apps.projects.api.projects import SLUG
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project
from qualiti.api import ProjectScopedMixin
from qualiti.http import request_user

FIELDS = ("production_model_version", "plan_name", "reference_dataset")


class MonitoringSettingsSerializer(serializers.Serializer):
    project = serializers.CharField(
        source="project.slug", read_only=True, help_text="The project's slug."
    )
    production_model_version = serializers.PrimaryKeyRelatedField(
        queryset=ModelVersion.objects.none(),
        allow_null=True,
        required=False,
        help_text="Id of the project's model version serving in production; null: none named.",
    )
    plan_name = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="The test plan every production sample is checked with (its approved "
        "version when the sample arrives); empty: samples are stored, not checked.",
    )
    reference_dataset = serializers.PrimaryKeyRelatedField(
        queryset=Dataset.objects.none(),
        allow_null=True,
        required=False,
        help_text="Id of the project's reference dataset the samples are compared with; "
        "null: the latest valid reference dataset.",
    )
    updated_by = serializers.CharField(
        source="updated_by.username",
        read_only=True,
        allow_null=True,
        help_text="Who last changed the settings; null if nobody has.",
    )
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the settings last changed."
    )

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:  # ids of another project answer as ids that do not exist
            fields: Any = self.fields
            fields["production_model_version"].queryset = ModelVersion.objects.filter(
                project=project
            )
            fields["reference_dataset"].queryset = Dataset.objects.filter(
                project=project, role=DatasetRole.REFERENCE
            )


@extend_schema(tags=["projects"], parameters=[SLUG])
class MonitoringSettingsView(ProjectScopedMixin, generics.GenericAPIView):
    """A project's monitoring settings; a project that never set them reads as empty."""

    project_field = "id"
    serializer_class = MonitoringSettingsSerializer
    lookup_field = "slug"

    def base_queryset(self) -> QuerySet[Project]:
        return Project.objects.all()

    @extend_schema(
        operation_id="projects_monitoring_retrieve", summary="Read a project's monitoring"
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(_body(self.get_object()))

    @extend_schema(
        operation_id="projects_monitoring_partial_update",
        summary="Change a project's monitoring (fields left out keep their values)",
        request=MonitoringSettingsSerializer(partial=True),
        responses=MonitoringSettingsSerializer,
    )
    def patch(self, request: Request, slug: str) -> Response:
        project = self.get_object()
        self.require(project, Action.PROJECT_MANAGE)  # refused before the body is read
        data = MonitoringSettingsSerializer(data=request.data, partial=True, project=project)
        data.is_valid(raise_exception=True)
        current = monitoring_for(project=project) or ProjectMonitoring(project=project)
        values = {name: data.validated_data.get(name, getattr(current, name)) for name in FIELDS}
        monitoring_settings_set(user=request_user(request), project=project, **values)
        return Response(_body(project))


def _body(project: Project) -> dict[str, Any]:
    monitoring = monitoring_for(project=project) or ProjectMonitoring(project=project)
    body: dict[str, Any] = MonitoringSettingsSerializer(monitoring).data
    if monitoring.pk is None:
        body["updated_at"] = None
    return body
