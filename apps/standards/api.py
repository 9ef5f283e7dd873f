"""Frameworks over the API: read-only, for every signed-in user."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from apps.criteria.models import CriterionTemplate
from apps.standards.models import Framework, Requirement
from apps.standards.selectors import framework_list
from qualiti.api_schema import help_texts


class RequirementSerializer(serializers.ModelSerializer):
    id = serializers.CharField(
        source="identifier", read_only=True, help_text="The requirement's identifier."
    )
    templates: serializers.SlugRelatedField[CriterionTemplate] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Codes of the catalogue templates that give evidence for this requirement.",
    )

    class Meta:
        model = Requirement
        fields = ["id", "group", "title", "summary", "url", "templates"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            group="The article, function or clause the requirement belongs to.",
            title="A short title, in Qualiti's own words.",
            summary="What the requirement asks, in Qualiti's own words.",
            url="Link to the official text.",
        )


class FrameworkSerializer(serializers.ModelSerializer):
    id = serializers.CharField(
        source="identifier", read_only=True, help_text="The framework's identifier, e.g. eu-ai-act."
    )
    requirements = RequirementSerializer(
        many=True, read_only=True, help_text="The framework's requirements, in its own order."
    )

    class Meta:
        model = Framework
        fields = ["id", "name", "version", "revision", "url", "summary", "requirements"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            name="The framework's name.",
            version="Version of the official text the pack follows.",
            revision="Revision of Qualiti's pack for this framework; it grows as the pack changes.",
            url="Link to the official text.",
            summary="What the framework is, in Qualiti's own words.",
        )


IDENTIFIER = OpenApiParameter(
    "identifier",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The framework's identifier, e.g. eu-ai-act (acme:acme-ai-policy for a "
    "framework of the imported pack acme).",
)


@extend_schema(tags=["frameworks"])
@extend_schema_view(
    list=extend_schema(summary="List the frameworks with their requirements"),
    retrieve=extend_schema(summary="Read a framework by its identifier", parameters=[IDENTIFIER]),
)
class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FrameworkSerializer
    lookup_field = "identifier"
    lookup_url_kwarg = "identifier"
    lookup_value_regex = r"[a-z0-9.:\-]+"  # an imported pack's are <pack>:<id>
    pagination_class = None  # a handful of frameworks, each whole
    filter_backends: list = []

    def get_queryset(self):
        return framework_list()
