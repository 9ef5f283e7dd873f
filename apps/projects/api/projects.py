"""/api/v1/projects/: the AI systems under review, by slug."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Team
from apps.projects import services
from apps.projects.models import Project
from qualiti.api import ProjectScopedMixin
from qualiti.api_schema import filter_help_texts, help_texts
from qualiti.filters import QualitiFilterSet
from qualiti.http import request_user


class ProjectSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="The project's name in URLs and in `?project=`; made from the name when "
        "empty. It cannot change.",
    )
    development_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the team that develops the model; findings are assigned to it.",
    )

    class Meta:
        model = Project
        fields = [
            "id", "name", "slug", "description", "risk_level", "development_team",
            "run_on_upload", "sla_critical_days", "sla_high_days", "sla_medium_days",
            "sla_low_days", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = help_texts(
            id="The project's id.",
            name="The project's name.",
            description="What the AI system does, for whom.",
            risk_level="How much harm the AI system can do (in the spirit of the EU AI "
            "Act's tiers): minimal, limited, high or critical.",
            run_on_upload="Whether each model version upload launches a run of the "
            "project's one approved plan on its latest valid evaluation dataset.",
            sla_critical_days="Days a critical finding has before it is overdue.",
            sla_high_days="Days a high finding has before it is overdue.",
            sla_medium_days="Days a medium finding has before it is overdue.",
            sla_low_days="Days a low finding has before it is overdue.",
            created_at="When the project was created.",
            updated_at="When the project's settings last changed.",
        )


@filter_help_texts(risk_level="Only projects of this risk level.")
class ProjectFilter(QualitiFilterSet):
    class Meta:
        model = Project
        fields = ["risk_level"]


SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The project's slug."
)


@extend_schema(tags=["projects"])
@extend_schema_view(
    list=extend_schema(summary="List the projects you see"),
    create=extend_schema(summary="Create a project"),
    retrieve=extend_schema(summary="Read a project", parameters=[SLUG]),
    partial_update=extend_schema(summary="Change a project's settings", parameters=[SLUG]),
)
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
    filterset_class = ProjectFilter
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
