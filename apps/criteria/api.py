"""API of the template catalogue (read-only) and of projects' criteria.

Criteria are a flat resource filtered with `?project=<slug>`; every write goes through
apps.criteria.services after the caller's right to manage the project's criteria is checked.
"""

from typing import cast

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.criteria.models import Category, Comparator, Criterion, CriterionTemplate, Severity
from apps.criteria.selectors import criterion_list, criterion_template_list
from apps.criteria.services import (
    criterion_create,
    criterion_create_from_template,
    criterion_delete,
    criterion_update,
)
from apps.projects.models import Project
from apps.projects.selectors import project_list_visible
from qualiti.api import ProjectScopedMixin
from qualiti.filters import QualitiFilterSet
from qualiti.http import request_user

CRITERION_FIELDS = [
    "code",
    "name",
    "category",
    "check_key",
    "metric",
    "comparator",
    "threshold",
    "severity",
    "blocking",
    "params",
    "rationale",
    "guidance",
]


class CriterionTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CriterionTemplate
        fields = ["id", *CRITERION_FIELDS, "references"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    template_code = serializers.CharField(source="template.code", read_only=True, allow_null=True)

    class Meta:
        model = Criterion
        fields = [
            "id",
            "project",
            "template",
            "template_code",
            *CRITERION_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CriterionUpdateSerializer(serializers.Serializer):
    """The values a quality manager sets; PATCH may send any subset."""

    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    check_key = serializers.CharField(max_length=100)
    metric = serializers.CharField(max_length=100)
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    threshold = serializers.FloatField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    blocking = serializers.BooleanField(required=False)
    params = serializers.DictField(required=False)
    rationale = serializers.CharField()
    guidance = serializers.CharField()


class CriterionCreateSerializer(CriterionUpdateSerializer):
    """A new criterion: from a template (`template`, any field overriding it) or from scratch."""

    project = serializers.SlugRelatedField(slug_field="slug", queryset=Project.objects.none())
    template = serializers.PrimaryKeyRelatedField(
        queryset=CriterionTemplate.objects.all(), required=False, allow_null=True
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # An invisible project answers like a missing one.
            project = cast(serializers.SlugRelatedField, fields["project"])
            project.queryset = project_list_visible(user=request.user)
        for name in CRITERION_FIELDS:
            fields[name].required = False
        return fields

    def validate(self, attrs: dict) -> dict:
        if attrs.get("template") is None:
            optional = {"blocking", "params"}
            missing = [n for n in CRITERION_FIELDS if n not in attrs and n not in optional]
            if missing:
                raise serializers.ValidationError(
                    {name: "This field is required when no template is given." for name in missing}
                )
        return attrs


class CriterionTemplateFilter(QualitiFilterSet):
    class Meta:
        model = CriterionTemplate
        fields = ["category", "check_key"]


class CriterionFilter(QualitiFilterSet):
    project = filters.CharFilter(field_name="project__slug", help_text="Project slug.")

    class Meta:
        model = Criterion
        fields = ["project", "category", "severity"]


class CriterionTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of criterion templates, readable by every signed-in user."""

    queryset = CriterionTemplate.objects.all()
    serializer_class = CriterionTemplateSerializer
    filterset_class = CriterionTemplateFilter
    ordering_fields = ["code"]
    ordering = ["code"]

    def get_queryset(self):
        return criterion_template_list()


@extend_schema_view(
    create=extend_schema(request=CriterionCreateSerializer, responses={201: CriterionSerializer}),
    update=extend_schema(request=CriterionUpdateSerializer, responses=CriterionSerializer),
    partial_update=extend_schema(request=CriterionUpdateSerializer, responses=CriterionSerializer),
)
class CriterionViewSet(ProjectScopedMixin, viewsets.ModelViewSet):
    """A project's criteria: members read them, its quality manager and admins edit them."""

    queryset = Criterion.objects.none()
    serializer_class = CriterionSerializer
    filterset_class = CriterionFilter
    ordering_fields = ["code", "created_at"]
    ordering = ["code", "id"]

    def base_queryset(self):
        return criterion_list()

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = CriterionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        project = values.pop("project")
        template = values.pop("template", None)
        if template is not None:
            criterion = criterion_create_from_template(
                project=project, template=template, user=request_user(request), overrides=values
            )
        else:
            criterion = criterion_create(project=project, user=request_user(request), **values)
        return Response(self._output(criterion), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        criterion = self.get_object()
        serializer = CriterionUpdateSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        criterion = criterion_update(
            criterion=criterion, user=request_user(request), **serializer.validated_data
        )
        return Response(self._output(criterion))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        criterion = self.get_object()
        criterion_delete(criterion=criterion, user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _output(self, criterion: Criterion) -> dict:
        return CriterionSerializer(criterion, context=self.get_serializer_context()).data
