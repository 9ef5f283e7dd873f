"""A project's coverage of a framework over the API, and the quality manager's decisions
behind it: the frameworks the project follows and the requirements that do not apply."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.criteria.models import CriterionKind
from apps.projects.selectors import project_list_visible
from apps.standards.models import Framework, ProjectFramework, Requirement, RequirementExclusion
from apps.standards.selectors import (
    CoverageRow,
    CoverageStatus,
    CriterionEvidence,
    project_coverage,
)
from apps.standards.services import (
    project_framework_choose,
    project_framework_unchoose,
    requirement_exclude,
    requirement_include,
)
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter, VisibleProjectField
from qualiti.api_schema import filter_help_texts, help_texts
from qualiti.errors import InvalidInput, NotFound
from qualiti.http import request_user

OUTCOMES = (
    "The criterion's latest outcome. A measured criterion: pass, fail, error or skipped (its "
    "worst subject in the latest succeeded run that judged it), or not_evaluated. A process "
    "criterion: satisfied, failing, unanswered or pending (its attestation's state)."
)


class CoverageRequirementSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="identifier", help_text="The requirement's identifier within its framework."
    )
    group = serializers.CharField(help_text="The article, function or clause it belongs to.")
    title = serializers.CharField(help_text="A short title, in Qualiti's own words.")
    url = serializers.URLField(help_text="Link to the official text.")


class CoverageCriterionSerializer(serializers.Serializer):
    code = serializers.CharField(source="criterion.code", help_text="The criterion's code.")
    name = serializers.CharField(source="criterion.name", help_text="The criterion's name.")
    kind = serializers.ChoiceField(
        source="criterion.kind",
        choices=CriterionKind.choices,
        help_text="Measured by a check in runs, or answered by a person (process).",
    )
    outcome = serializers.CharField(help_text=OUTCOMES)
    run = serializers.IntegerField(
        source="run_id",
        allow_null=True,
        help_text="The run whose results give a measured criterion's outcome; null if none.",
    )
    attestation = serializers.SerializerMethodField(
        help_text="The id of the attestation that gives a process criterion's outcome; null "
        "if none."
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_attestation(self, evidence: CriterionEvidence) -> int | None:
        return getattr(evidence.attestation, "pk", None)


class CoverageExclusionSerializer(serializers.Serializer):
    justification = serializers.CharField(help_text="Why the requirement does not apply.")
    decided_by = serializers.CharField(
        source="decided_by.username",
        allow_null=True,
        default=None,
        help_text="Who decided it does not apply.",
    )
    decided_at = serializers.DateTimeField(help_text="When it was decided.")


class CoverageRowSerializer(serializers.Serializer):
    requirement = CoverageRequirementSerializer(help_text="The framework's requirement.")
    status = serializers.ChoiceField(
        choices=CoverageStatus.choices,
        help_text="satisfied when every criterion that gives evidence passes; failing when one "
        "fails or has no passing outcome yet; not_covered when no criterion gives evidence; "
        "not_applicable when the quality manager said so, with a justification.",
    )
    reason = serializers.CharField(
        help_text="Why the status: the failing or not yet evaluated criteria, or the "
        "justification of a requirement that does not apply."
    )
    criteria = CoverageCriterionSerializer(
        many=True, help_text="The project's criteria that give evidence for the requirement."
    )
    suggested_templates = serializers.SerializerMethodField(
        help_text="For a requirement not covered: codes of the catalogue templates that "
        "would cover it and that the project does not have yet."
    )
    exclusion = CoverageExclusionSerializer(
        allow_null=True, help_text="The not-applicable decision, or null."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_suggested_templates(self, row: CoverageRow) -> list[str]:
        return [template.code for template in row.suggested_templates]


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if not value:
        raise InvalidInput(f"Give ?{name}=.", field=name)
    return value


class CoverageView(APIView):
    """One row per requirement of a framework with the project's evidence for it."""

    @extend_schema(
        operation_id="coverage_list",
        tags=["coverage"],
        summary="Read a project's coverage of a framework, gaps first",
        description="One row per requirement of the framework (chosen by the project or "
        "not): not covered, failing, satisfied, then not applicable, each in the "
        "framework's order.",
        parameters=[
            OpenApiParameter(
                "project",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="The project's slug.",
            ),
            OpenApiParameter(
                "framework",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="The framework's identifier, e.g. eu-ai-act.",
            ),
        ],
        responses={
            200: CoverageRowSerializer(many=True),
            400: OpenApiResponse(description="A parameter is missing or names no framework."),
            404: OpenApiResponse(description="The project does not exist or is not visible."),
        },
    )
    def get(self, request: Request) -> Response:
        slug = _required(request, "project")
        identifier = _required(request, "framework")
        project = project_list_visible(user=request_user(request)).filter(slug=slug).first()
        if project is None:
            raise NotFound("No such project.")
        framework = Framework.objects.filter(identifier=identifier).first()
        if framework is None:
            raise InvalidInput(f"No framework is called {identifier!r}.", field="framework")
        rows = project_coverage(project=project, framework=framework)
        return Response(CoverageRowSerializer(rows, many=True).data)


@filter_help_texts(project="Only this project's rows (its slug).")
class CoverageChoiceFilter(ProjectSlugFilter):
    pass


class ProjectFrameworkSerializer(serializers.ModelSerializer):
    project = VisibleProjectField(help_text="The project's slug.")
    framework = serializers.SlugRelatedField(
        slug_field="identifier",
        queryset=Framework.objects.all(),
        help_text="The framework's identifier, e.g. eu-ai-act.",
    )
    chosen_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who chose it."
    )

    class Meta:
        model = ProjectFramework
        fields = ["id", "project", "framework", "chosen_by", "chosen_at"]
        read_only_fields = ["id", "chosen_by", "chosen_at"]
        extra_kwargs = help_texts(id="The choice's id.", chosen_at="When it was chosen.")


@extend_schema(tags=["coverage"])
@extend_schema_view(
    list=extend_schema(summary="List the frameworks projects follow"),
    create=extend_schema(summary="Make a project follow a framework (its reports show it)"),
    destroy=extend_schema(
        summary="Stop following a framework",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The choice's id."
            )
        ],
    ),
)
class ProjectFrameworkViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The frameworks a project follows: members read them, its quality manager and
    administrators choose them."""

    serializer_class = ProjectFrameworkSerializer
    filterset_class = CoverageChoiceFilter

    def base_queryset(self) -> QuerySet[ProjectFramework]:
        return ProjectFramework.objects.select_related(
            "project", "framework", "chosen_by"
        ).order_by("project__slug", "framework__identifier")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data: dict[str, Any] = serializer.validated_data
        serializer.instance = project_framework_choose(
            project=data["project"], framework=data["framework"], user=request_user(self.request)
        )

    def perform_destroy(self, instance: ProjectFramework) -> None:
        project_framework_unchoose(
            project=instance.project, framework=instance.framework, user=request_user(self.request)
        )


class RequirementExclusionSerializer(serializers.ModelSerializer):
    project = VisibleProjectField(help_text="The project's slug.")
    framework = serializers.CharField(
        source="requirement.framework.identifier",
        help_text="The requirement's framework, by identifier (e.g. eu-ai-act).",
    )
    requirement = serializers.CharField(
        source="requirement.identifier",
        help_text="The requirement's identifier within its framework (e.g. art-72).",
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who decided it does not apply."
    )

    class Meta:
        model = RequirementExclusion
        fields = [
            "id",
            "project",
            "framework",
            "requirement",
            "justification",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = ["id", "decided_by", "decided_at"]
        extra_kwargs = help_texts(
            id="The decision's id.",
            justification="Why the requirement does not apply to the project (required).",
            decided_at="When it was decided.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        named = attrs.pop("requirement")
        requirement = Requirement.objects.filter(
            framework__identifier=named["framework"]["identifier"], identifier=named["identifier"]
        ).first()
        if requirement is None:
            raise InvalidInput("No such requirement in that framework.", field="requirement")
        return {**attrs, "requirement": requirement}


@extend_schema(tags=["coverage"])
@extend_schema_view(
    list=extend_schema(summary="List the requirements marked not applicable"),
    create=extend_schema(
        summary="Mark a requirement not applicable, with a justification (again: replace it)"
    ),
    destroy=extend_schema(
        summary="Make a requirement applicable again",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The decision's id."
            )
        ],
    ),
)
class RequirementExclusionViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Requirements that do not apply to a project: members read them, its quality manager
    and administrators decide them."""

    serializer_class = RequirementExclusionSerializer
    filterset_class = CoverageChoiceFilter

    def base_queryset(self) -> QuerySet[RequirementExclusion]:
        return RequirementExclusion.objects.select_related(
            "project", "requirement__framework", "decided_by"
        ).order_by("project__slug", "requirement__framework__identifier", "requirement__position")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data: dict[str, Any] = serializer.validated_data
        serializer.instance = requirement_exclude(
            project=data["project"],
            requirement=data["requirement"],
            justification=data["justification"],
            user=request_user(self.request),
        )

    def perform_destroy(self, instance: RequirementExclusion) -> None:
        requirement_include(
            project=instance.project,
            requirement=instance.requirement,
            user=request_user(self.request),
        )
