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

from apps.criteria.api_packs import CriterionPackActions
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
from qualiti.api_schema import filter_help_texts, help_texts
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
# What each of the fields above means, for the schema (templates, criteria and their writes).
CRITERION_HELP = {
    "code": "A short code naming the criterion, unique in its project (or the catalogue), "
    "e.g. PERF-01.",
    "name": "The criterion's name.",
    "category": "The kind of quality it judges (performance, fairness, drift…).",
    "check_key": "The engine check that measures it (a key of /api/v1/checks/).",
    "metric": "The check's metric that is compared with the threshold.",
    "comparator": "How the observed value must compare with the threshold to pass: <=, <, >= or >.",
    "threshold": "The value the metric is compared with.",
    "severity": "How severe a failure is: critical, high, medium or low (the finding's severity).",
    "blocking": "Whether a failure makes the run's verdict fail (otherwise a failure "
    "makes it pass with warnings).",
    "params": "The check's parameters, overriding its defaults (see the check's params_schema).",
    "rationale": "Why the criterion matters for this kind of system.",
    "guidance": "Remediation guidance written for a developer.",
}


class CriterionTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CriterionTemplate
        fields = ["id", *CRITERION_FIELDS, "references", "pack"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The template's id.",
            references="Standards and papers the template draws on.",
            pack="The pack it came from: qualiti (shipped) or an imported pack's id, whose "
            "templates' codes are <pack>:<code>.",
            **CRITERION_HELP,
        )


class CriterionSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    template_code = serializers.CharField(
        source="template.code",
        read_only=True,
        allow_null=True,
        help_text="The code of the template it was made from; null if made from scratch.",
    )

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
        extra_kwargs = help_texts(
            id="The criterion's id.",
            template="Id of the catalogue template it was made from; null if made from scratch.",
            created_at="When the criterion was made.",
            updated_at="When it last changed.",
            **CRITERION_HELP,
        )


class CriterionUpdateSerializer(serializers.Serializer):
    """The values a quality manager sets; PATCH may send any subset."""

    code = serializers.CharField(max_length=32, help_text=CRITERION_HELP["code"])
    name = serializers.CharField(max_length=200, help_text=CRITERION_HELP["name"])
    category = serializers.ChoiceField(
        choices=Category.choices, help_text=CRITERION_HELP["category"]
    )
    check_key = serializers.CharField(max_length=100, help_text=CRITERION_HELP["check_key"])
    metric = serializers.CharField(max_length=100, help_text=CRITERION_HELP["metric"])
    comparator = serializers.ChoiceField(
        choices=Comparator.choices, help_text=CRITERION_HELP["comparator"]
    )
    threshold = serializers.FloatField(help_text=CRITERION_HELP["threshold"])
    severity = serializers.ChoiceField(
        choices=Severity.choices, help_text=CRITERION_HELP["severity"]
    )
    blocking = serializers.BooleanField(required=False, help_text=CRITERION_HELP["blocking"])
    params = serializers.DictField(required=False, help_text=CRITERION_HELP["params"])
    rationale = serializers.CharField(help_text=CRITERION_HELP["rationale"])
    guidance = serializers.CharField(help_text=CRITERION_HELP["guidance"])


class CriterionCreateSerializer(CriterionUpdateSerializer):
    """A new criterion: from a template (`template`, any field overriding it) or from scratch."""

    project = serializers.SlugRelatedField(
        slug_field="slug", queryset=Project.objects.none(), help_text="The project's slug."
    )
    template = serializers.PrimaryKeyRelatedField(
        queryset=CriterionTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of a catalogue template to start from; the fields given override its "
        "values. Without one, every field but blocking and params is required.",
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


@filter_help_texts(
    category="Only templates of this category.",
    check_key="Only templates measured by this engine check.",
    pack="Only the templates of this pack (qualiti: the shipped ones).",
)
class CriterionTemplateFilter(QualitiFilterSet):
    class Meta:
        model = CriterionTemplate
        fields = ["category", "check_key", "pack"]


@filter_help_texts(
    category="Only criteria of this category.",
    severity="Only criteria of this severity.",
)
class CriterionFilter(QualitiFilterSet):
    project = filters.CharFilter(field_name="project__slug", help_text="Project slug.")

    class Meta:
        model = Criterion
        fields = ["project", "category", "severity"]


@extend_schema(tags=["criterion templates"])
@extend_schema_view(
    list=extend_schema(summary="List the catalogue's criterion templates"),
    retrieve=extend_schema(summary="Read a criterion template"),
)
class CriterionTemplateViewSet(CriterionPackActions, viewsets.ReadOnlyModelViewSet):
    """The catalogue of criterion templates, readable by every signed-in user; packs of
    them are exported and imported as YAML (apps.criteria.api_packs)."""

    queryset = CriterionTemplate.objects.all()
    serializer_class = CriterionTemplateSerializer
    filterset_class = CriterionTemplateFilter
    ordering_fields = ["code"]
    ordering = ["code"]

    def get_queryset(self):
        return criterion_template_list()


@extend_schema(tags=["criteria"])
@extend_schema_view(
    list=extend_schema(summary="List criteria"),
    retrieve=extend_schema(summary="Read a criterion"),
    create=extend_schema(
        summary="Add a criterion to a project, from a template or from scratch",
        request=CriterionCreateSerializer,
        responses={201: CriterionSerializer},
    ),
    update=extend_schema(
        summary="Replace a criterion's values",
        request=CriterionUpdateSerializer,
        responses=CriterionSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of a criterion's values",
        request=CriterionUpdateSerializer,
        responses=CriterionSerializer,
    ),
    destroy=extend_schema(
        summary="Delete a criterion", description="Refused while a test plan uses it."
    ),
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
