from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Team
from apps.projects import services
from apps.projects.models import Project
from qualiti.api import ProjectScopedMixin
from qualiti.http import request_user


class ProjectSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    development_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Project
        fields = [
            "id", "name", "slug", "description", "risk_level", "development_team",
            "run_on_upload", "sla_critical_days", "sla_high_days", "sla_medium_days",
            "sla_low_days", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class ProjectViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects by slug. Admins and organisation quality managers create them; the project's
    quality manager changes its settings."""

    project_field = "id"
    serializer_class = ProjectSerializer
    lookup_field = "slug"
    filterset_fields = ["risk_level"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Project]:
        return Project.objects.select_related("development_team")

    def create(self, request: Request) -> Response:
        data = ProjectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(user=request_user(request), **data.validated_data)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, slug: str) -> Response:
        project = self.get_object()
        data = ProjectSerializer(project, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if changes.pop("slug", project.slug) != project.slug:
            raise serializers.ValidationError({"slug": "A project's slug cannot change."})
        project = services.project_update(project=project, actor=request_user(request), **changes)
        return Response(ProjectSerializer(project).data)

    def update(self, request: Request, slug: str) -> Response:
        return self.partial_update(request, slug)
