from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.evaluations import engine, selectors, services
from apps.evaluations.models import CheckResult, EvaluationRun, Trigger
from apps.projects.models import Dataset, ModelVersion, Project
from apps.reports.api_signing import RunSignMixin
from apps.testplans.models import TestPlan
from qualiti.api import (
    ProjectScopedMixin,
    ProjectSlugFilter,
    VisibleProjectField,
    VisibleRelatedField,
)
from qualiti.errors import InvalidInput
from qualiti.http import request_user


class EvaluationRunSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = EvaluationRun
        fields = [
            "id", "project", "test_plan", "model_version", "dataset", "reference_dataset",
            "training_dataset", "status", "attempt", "heartbeat_at", "progress", "current_step",
            "started_at", "finished_at", "error", "cancel_requested", "verdict", "summary",
            "triggered_by", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class RunCreateSerializer(serializers.Serializer):
    project = VisibleProjectField(help_text="The project's slug.")
    test_plan = VisibleRelatedField(model=TestPlan)
    model_version = VisibleRelatedField(model=ModelVersion)
    dataset = VisibleRelatedField(model=Dataset, help_text="The evaluation dataset.")
    reference_dataset = VisibleRelatedField(model=Dataset, required=False, allow_null=True)
    training_dataset = VisibleRelatedField(model=Dataset, required=False, allow_null=True)


class RunFilter(ProjectSlugFilter):
    class Meta:
        model = EvaluationRun
        fields = ["project", "status", "verdict", "model_version", "test_plan"]


class ComparisonRowSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    check_key = serializers.CharField()
    metric = serializers.CharField()
    subject = serializers.CharField()
    outcome = serializers.CharField(allow_null=True)
    previous_outcome = serializers.CharField(allow_null=True)
    value = serializers.JSONField(allow_null=True)
    previous_value = serializers.JSONField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)


class RunComparisonSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    model_version = serializers.IntegerField()
    previous_run = serializers.IntegerField(allow_null=True)
    previous_model_version = serializers.IntegerField(allow_null=True)
    chosen = serializers.BooleanField(help_text="Whether the other run was chosen with `with`.")
    checks = ComparisonRowSerializer(many=True)
    new_failures = ComparisonRowSerializer(many=True)
    fixed_failures = ComparisonRowSerializer(many=True)


class EvaluationRunViewSet(
    ProjectScopedMixin,
    RunSignMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Evaluation runs: launched here (queued for a worker), followed by polling, cancelled."""

    serializer_class = EvaluationRunSerializer
    filterset_class = RunFilter
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[EvaluationRun]:
        return EvaluationRun.objects.select_related("project")

    @extend_schema(request=RunCreateSerializer, responses={201: EvaluationRunSerializer})
    def create(self, request: Request) -> Response:
        """Launch a run of an approved plan; 400 names what is missing or wrong."""
        data = RunCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        run = services.run_create(
            user=request_user(request), triggered_by=Trigger.API, **data.validated_data
        )
        return Response(self._read(run), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EvaluationRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a queued run at once, or ask a running one to stop at its next step."""
        run = self.get_object()
        return Response(self._read(services.run_cancel(run=run, user=request_user(request))))

    @extend_schema(
        responses=RunComparisonSerializer,
        parameters=[
            OpenApiParameter(
                "with", int, description="Another succeeded run of the project to compare with."
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def comparison(self, request: Request, pk: str) -> Response:
        """Regression against the previous run of the same plan on the previous model version,
        or against any other succeeded run of the project with `?with=<run id>`."""
        run = self.get_object()
        other = None
        if "with" in request.query_params:
            other = selectors.run_comparable(run=run, other_id=request.query_params["with"])
            if other is None:
                raise InvalidInput(
                    "with: no other succeeded run of this project has that id.", field="with"
                )
        return Response(selectors.run_comparison(run=run, other=other))

    def _read(self, run: EvaluationRun) -> dict:
        return EvaluationRunSerializer(self.get_queryset().get(pk=run.pk)).data


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = [
            "id", "run", "plan_check", "criterion", "check_key", "category", "subject",
            "outcome", "observed", "metric", "comparator", "threshold", "ci", "evidence",
            "flagged_rows", "sampling", "severity", "blocking", "message", "duration_ms",
        ]  # fmt: skip
        read_only_fields = fields


class CheckResultFilter(ProjectSlugFilter):
    class Meta:
        model = CheckResult
        fields = ["project", "run", "outcome", "category", "check_key"]


class CheckResultViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
    project_field = "run__project"
    serializer_class = CheckResultSerializer
    filterset_class = CheckResultFilter
    ordering_fields = ["id"]
    ordering = ["id"]

    def base_queryset(self) -> QuerySet[CheckResult]:
        return CheckResult.objects.all()


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="The check's name for people; the key is stable.")
    category = serializers.CharField()
    task_types = serializers.ListField(child=serializers.CharField())
    params_schema = serializers.JSONField(help_text="JSON Schema with each parameter's default.")
    metrics = serializers.DictField(child=serializers.CharField())
    metric_names = serializers.DictField(
        child=serializers.CharField(), help_text="Each metric's name for people."
    )
    default_metric = serializers.CharField()
    docs = serializers.DictField(
        child=serializers.CharField(), help_text="what, why, fix, reference"
    )
    implemented = serializers.BooleanField()
    reads = serializers.ListField(
        child=serializers.ChoiceField(choices=list(engine.READS)),
        help_text="What the check reads with its default parameters besides the evaluation "
        "data's features: labels (the target column), predictions, probabilities, reference "
        "and training (data). A run of a plan with a check that reads labels needs "
        "evaluation data with a target column.",
    )


class CheckViewSet(viewsets.ViewSet):
    """The engine's check catalogue (any signed-in user): what each check measures, its
    parameters with their defaults, its metrics and its documentation."""

    lookup_field = "key"
    lookup_value_regex = r"[\w.]+"

    @extend_schema(responses=CheckSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(CheckSerializer(selectors.check_catalogue(), many=True).data)

    @extend_schema(
        responses={200: CheckSerializer, 404: OpenApiResponse(description="No such check")}
    )
    def retrieve(self, request: Request, key: str) -> Response:
        for check in selectors.check_catalogue():
            if check["key"] == key:
                return Response(CheckSerializer(check).data)
        return Response({"detail": f"No check named {key!r}."}, status=status.HTTP_404_NOT_FOUND)
