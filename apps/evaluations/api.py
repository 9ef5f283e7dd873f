from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
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
from qualiti.api_schema import filter_help_texts, help_texts
from qualiti.errors import InvalidInput
from qualiti.http import request_user


class EvaluationRunSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
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
        extra_kwargs = help_texts(
            id="The run's id.",
            test_plan="Id of the approved test plan version it runs.",
            model_version="Id of the model version it evaluates.",
            dataset="Id of the evaluation dataset.",
            reference_dataset="Id of the reference dataset (for drift checks), if any.",
            training_dataset="Id of the training dataset (for leakage checks), if any.",
            status="queued, running, then succeeded, failed or cancelled.",
            attempt="How many times a worker has started it (a run whose worker died is "
            "started again).",
            heartbeat_at="When its worker last said it was alive; null before it starts.",
            progress="Percent done, 0 to 100.",
            current_step="What the worker is doing now, in words.",
            started_at="When a worker started it; null while queued.",
            finished_at="When it finished; null until then.",
            error="Why it failed; empty otherwise.",
            verdict="pass, pass_with_warnings (failures, none blocking) or fail (a blocking "
            "failure); empty until it succeeds.",
            triggered_by="What launched it: page, api, upload, schedule or monitoring.",
            created_by="Id of the user who launched it; null for automatic runs.",
            created_at="When it was launched.",
        )


class RunCreateSerializer(serializers.Serializer):
    project = VisibleProjectField(help_text="The project's slug.")
    test_plan = VisibleRelatedField(
        model=TestPlan, help_text="Id of an approved test plan version of the project."
    )
    model_version = VisibleRelatedField(
        model=ModelVersion, help_text="Id of the model version to evaluate."
    )
    dataset = VisibleRelatedField(model=Dataset, help_text="Id of the evaluation dataset.")
    reference_dataset = VisibleRelatedField(
        model=Dataset,
        required=False,
        allow_null=True,
        help_text="Id of a reference dataset, which drift checks compare with.",
    )
    training_dataset = VisibleRelatedField(
        model=Dataset,
        required=False,
        allow_null=True,
        help_text="Id of the training dataset, which leakage checks compare with.",
    )


@filter_help_texts(
    status="Only runs in this status.",
    verdict="Only runs with this verdict.",
    model_version="Only runs of this model version (id).",
    test_plan="Only runs of this test plan version (id).",
)
class RunFilter(ProjectSlugFilter):
    class Meta:
        model = EvaluationRun
        fields = ["project", "status", "verdict", "model_version", "test_plan"]


class ComparisonRowSerializer(serializers.Serializer):
    criterion = serializers.CharField(help_text="The criterion's code; empty for none.")
    check_key = serializers.CharField(help_text="The engine check.")
    metric = serializers.CharField(help_text="The metric compared; empty for none.")
    subject = serializers.CharField(help_text="What was checked; empty for the whole data.")
    outcome = serializers.CharField(
        allow_null=True, help_text="The outcome in this run; null if this run lacks it."
    )
    previous_outcome = serializers.CharField(
        allow_null=True, help_text="The outcome in the other run; null if that run lacks it."
    )
    value = serializers.JSONField(allow_null=True, help_text="The metric's value in this run.")
    previous_value = serializers.JSONField(
        allow_null=True, help_text="The metric's value in the other run."
    )
    delta = serializers.FloatField(
        allow_null=True, help_text="value minus previous_value, when both are numbers."
    )


class RunComparisonSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="This run's id.")
    model_version = serializers.IntegerField(help_text="This run's model version number.")
    previous_run = serializers.IntegerField(
        allow_null=True, help_text="The other run's id; null when there is none to compare with."
    )
    previous_model_version = serializers.IntegerField(
        allow_null=True, help_text="The other run's model version number."
    )
    chosen = serializers.BooleanField(help_text="Whether the other run was chosen with `with`.")
    checks = ComparisonRowSerializer(
        many=True, help_text="Every check and subject of either run, with both values."
    )
    new_failures = ComparisonRowSerializer(
        many=True, help_text="The rows that fail in this run and did not fail in the other."
    )
    fixed_failures = ComparisonRowSerializer(
        many=True, help_text="The rows that failed in the other run and pass in this one."
    )


@extend_schema(tags=["runs"])
@extend_schema_view(
    list=extend_schema(summary="List runs, newest first"),
    retrieve=extend_schema(summary="Read a run (poll it to follow its progress)"),
)
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

    @extend_schema(
        summary="Launch a run",
        request=RunCreateSerializer,
        responses={201: EvaluationRunSerializer},
    )
    def create(self, request: Request) -> Response:
        """Launch a run of an approved plan; 400 names what is missing or wrong."""
        data = RunCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        run = services.run_create(
            user=request_user(request), triggered_by=Trigger.API, **data.validated_data
        )
        return Response(self._read(run), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel a run", request=None, responses=EvaluationRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a queued run at once, or ask a running one to stop at its next step."""
        run = self.get_object()
        return Response(self._read(services.run_cancel(run=run, user=request_user(request))))

    @extend_schema(
        summary="Compare a run with another",
        responses=RunComparisonSerializer,
        parameters=[
            OpenApiParameter(
                "with",
                OpenApiTypes.INT,
                description="Id of another succeeded run of the project to compare with "
                "(default: the previous run); 400 names `with` when there is no such run.",
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
        extra_kwargs = help_texts(
            id="The result's id.",
            run="Id of the run it belongs to.",
            plan_check="Id of the plan check that produced it; null once that is deleted.",
            criterion="Id of the criterion it judges; null for none.",
            check_key="The engine check.",
            category="The check's category (performance, fairness, drift…).",
            outcome="pass, fail, error (the check could not run) or skipped.",
            observed="The values the check measured, by metric name.",
            comparator="How the metric's value was compared with the threshold.",
            threshold="The value the metric was compared with; null when not judged.",
            ci="Confidence intervals of the observed values, where the check computes them.",
            evidence="What supports the outcome: details that differ by check.",
            flagged_rows="Positions of the evaluation data's rows the check points at (the "
            "outliers, say).",
            sampling="How the check sampled the data, when it did not read every row.",
            severity="The severity of a failure (from the criterion).",
            blocking="Whether a failure makes the run fail.",
            message="The outcome in words.",
            duration_ms="How long the check took, in milliseconds.",
        )


@filter_help_texts(
    run="Only the results of this run (id).",
    outcome="Only results with this outcome.",
    category="Only results of checks of this category.",
    check_key="Only the results of this engine check.",
)
class CheckResultFilter(ProjectSlugFilter):
    class Meta:
        model = CheckResult
        fields = ["project", "run", "outcome", "category", "check_key"]


@extend_schema(tags=["check results"])
@extend_schema_view(
    list=extend_schema(summary="List check results"),
    retrieve=extend_schema(summary="Read a check result"),
)
class CheckResultViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
    project_field = "run__project"
    serializer_class = CheckResultSerializer
    filterset_class = CheckResultFilter
    ordering_fields = ["id"]
    ordering = ["id"]

    def base_queryset(self) -> QuerySet[CheckResult]:
        return CheckResult.objects.all()


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The check's key, which criteria name as check_key.")
    name = serializers.CharField(help_text="The check's name for people; the key is stable.")
    category = serializers.CharField(help_text="What kind of quality the check measures.")
    task_types = serializers.ListField(
        child=serializers.CharField(),
        help_text="The model tasks it applies to: binary, multiclass, regression.",
    )
    params_schema = serializers.JSONField(help_text="JSON Schema with each parameter's default.")
    metrics = serializers.DictField(
        child=serializers.CharField(), help_text="Each metric it measures, and what it is."
    )
    metric_names = serializers.DictField(
        child=serializers.CharField(), help_text="Each metric's name for people."
    )
    default_metric = serializers.CharField(
        help_text="The metric a criterion judges unless it names another."
    )
    docs = serializers.DictField(
        child=serializers.CharField(),
        help_text="Its documentation: what it measures, why it matters, how to fix a "
        "failure, and references (keys what, why, fix, reference).",
    )
    implemented = serializers.BooleanField(
        help_text="False for a check that is catalogued but not yet runnable."
    )
    reads = serializers.ListField(
        child=serializers.ChoiceField(choices=list(engine.READS)),
        help_text="What the check reads with its default parameters besides the evaluation "
        "data's features: labels (the target column), predictions, probabilities, reference "
        "and training (data). A run of a plan with a check that reads labels needs "
        "evaluation data with a target column.",
    )


@extend_schema(tags=["checks"])
class CheckViewSet(viewsets.ViewSet):
    """The engine's check catalogue (any signed-in user): what each check measures, its
    parameters with their defaults, its metrics and its documentation."""

    lookup_field = "key"
    lookup_value_regex = r"[\w.]+"

    @extend_schema(summary="List the engine's checks", responses=CheckSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(CheckSerializer(selectors.check_catalogue(), many=True).data)

    @extend_schema(
        summary="Read a check's documentation",
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The check's key."
            )
        ],
        responses={200: CheckSerializer, 404: OpenApiResponse(description="No such check")},
    )
    def retrieve(self, request: Request, key: str) -> Response:
        for check in selectors.check_catalogue():
            if check["key"] == key:
                return Response(CheckSerializer(check).data)
        return Response({"detail": f"No check named {key!r}."}, status=status.HTTP_404_NOT_FOUND)
