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

from apps.accounts.models import User
from apps.criteria.api_packs import CriterionPackActions
from apps.criteria.models import (
    AnswererRole,
    Category,
    Comparator,
    Criterion,
    CriterionKind,
    CriterionTemplate,
    EvidenceKind,
    Severity,
)
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
    "kind",
    "check_key",
    "metric",
    "comparator",
    "threshold",
    "question",
    "answered_by_role",
    "evidence_expected",
    "validity_days",
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
    "category": "The kind of quality it judges (performance, fairness, drift, governance…).",
    "kind": "measured: an engine check judges it in runs; process: a person answers its "
    "question with evidence, and the quality manager accepts or sends back the answer "
    "(/api/v1/attestations/). A process criterion is never a plan check and does not change "
    "a run's verdict.",
    "check_key": "The engine check that measures it (a key of /api/v1/checks/); empty for a "
    "process criterion.",
    "metric": "The check's metric that is compared with the threshold; empty for a process "
    "criterion.",
    "comparator": "How the observed value must compare with the threshold to pass: <=, <, >= "
    "or >; empty for a process criterion.",
    "threshold": "The value the metric is compared with; null for a process criterion.",
    "question": "What a process criterion asks, e.g. 'Is the intended use documented and "
    "approved?'; empty for a measured one.",
    "answered_by_role": "Which project role answers a process criterion (quality_manager or "
    "developer), unless a person is named; empty for a measured one.",
    "evidence_expected": "The evidence an answer must carry: file, link or file_or_link; "
    "empty for a measured one.",
    "validity_days": "How many days an accepted answer stays valid before it expires (and "
    "the criterion fails again); null for a measured one.",
    "severity": "How severe a failure is: critical, high, medium or low (the finding's severity).",
    "blocking": "Whether a failure makes the run's verdict fail (otherwise a failure "
    "makes it pass with warnings).",
    "params": "The check's parameters, overriding its defaults (see the check's params_schema).",
    "rationale": "Why the criterion matters for this kind of system.",
    "guidance": "Remediation guidance written for a developer.",
}


MEASURED_REQUIRED = ("check_key", "metric", "comparator", "threshold")
PROCESS_REQUIRED = ("question", "answered_by_role", "evidence_expected", "validity_days")
ANSWERER_HELP = (
    "Id of the project member who must answer this process criterion, instead of anyone "
    "with answered_by_role; null for the role."
)


def fields_missing_for_kind(attrs: dict, kind: str) -> dict[str, str]:
    """The fields a criterion of this kind needs that `attrs` does not give."""
    needed = PROCESS_REQUIRED if kind == CriterionKind.PROCESS else MEASURED_REQUIRED
    return {
        name: f"A {kind} criterion needs this field."
        for name in needed
        if attrs.get(name) in (None, "")
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
            "template_version",
            *CRITERION_FIELDS,
            "answerer",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The criterion's id.",
            template="Id of the catalogue template it was made from; null if made from scratch.",
            template_version="The template's version it was made from; null if from scratch.",
            answerer=ANSWERER_HELP,
            created_at="When the criterion was made.",
            updated_at="When it last changed.",
            **CRITERION_HELP,
        )


class CriterionUpdateSerializer(serializers.Serializer):
    """The values a quality manager sets; PATCH may send any subset. PUT needs the fields
    of the criterion's kind (the one sent, else its current one)."""

    code = serializers.CharField(max_length=32, help_text=CRITERION_HELP["code"])
    name = serializers.CharField(max_length=200, help_text=CRITERION_HELP["name"])
    category = serializers.ChoiceField(
        choices=Category.choices, help_text=CRITERION_HELP["category"]
    )
    kind = serializers.ChoiceField(
        choices=CriterionKind.choices, required=False, help_text=CRITERION_HELP["kind"]
    )
    check_key = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=CRITERION_HELP["check_key"]
    )
    metric = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=CRITERION_HELP["metric"]
    )
    comparator = serializers.ChoiceField(
        choices=Comparator.choices,
        required=False,
        allow_blank=True,
        help_text=CRITERION_HELP["comparator"],
    )
    threshold = serializers.FloatField(
        required=False, allow_null=True, help_text=CRITERION_HELP["threshold"]
    )
    question = serializers.CharField(
        required=False, allow_blank=True, help_text=CRITERION_HELP["question"]
    )
    answered_by_role = serializers.ChoiceField(
        choices=AnswererRole.choices,
        required=False,
        allow_blank=True,
        help_text=CRITERION_HELP["answered_by_role"],
    )
    evidence_expected = serializers.ChoiceField(
        choices=EvidenceKind.choices,
        required=False,
        allow_blank=True,
        help_text=CRITERION_HELP["evidence_expected"],
    )
    validity_days = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text=CRITERION_HELP["validity_days"]
    )
    answerer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text=ANSWERER_HELP
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices, help_text=CRITERION_HELP["severity"]
    )
    blocking = serializers.BooleanField(required=False, help_text=CRITERION_HELP["blocking"])
    params = serializers.DictField(required=False, help_text=CRITERION_HELP["params"])
    rationale = serializers.CharField(help_text=CRITERION_HELP["rationale"])
    guidance = serializers.CharField(help_text=CRITERION_HELP["guidance"])

    def validate(self, attrs: dict) -> dict:
        if not self.partial:
            kind = attrs.get("kind") or self.context.get("kind", CriterionKind.MEASURED)
            missing = fields_missing_for_kind(attrs, kind)
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


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
        "values. Without one, the fields of the criterion's kind are required (blocking, "
        "params and answerer are optional).",
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
            base = ("code", "name", "category", "severity", "rationale", "guidance")
            missing = {
                name: "This field is required when no template is given."
                for name in base
                if name not in attrs
            }
            kind = attrs.get("kind", CriterionKind.MEASURED)
            missing |= {
                name: f"This field is required for a {kind} criterion when no template is given."
                for name in fields_missing_for_kind(attrs, kind)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


@filter_help_texts(
    category="Only templates of this category.",
    check_key="Only templates measured by this engine check.",
    pack="Only the templates of this pack (qualiti: the shipped ones).",
    kind="Only measured templates, or only process ones.",
)
class CriterionTemplateFilter(QualitiFilterSet):
    class Meta:
        model = CriterionTemplate
        fields = ["category", "check_key", "kind", "pack"]


@filter_help_texts(
    category="Only criteria of this category.",
    severity="Only criteria of this severity.",
    kind="Only measured criteria, or only process ones.",
)
class CriterionFilter(QualitiFilterSet):
    project = filters.CharFilter(field_name="project__slug", help_text="Project slug.")

    class Meta:
        model = Criterion
        fields = ["project", "category", "severity", "kind"]


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
            data=request.data,
            partial=kwargs.get("partial", False),
            context={"kind": criterion.kind},
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
