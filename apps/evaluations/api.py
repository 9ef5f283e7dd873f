from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from apps.evaluations.models import CheckResult, EvaluationRun
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter


class EvaluationRunSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = EvaluationRun
        fields = [
            "id", "project", "test_plan", "model_version", "dataset", "reference_dataset",
            "training_dataset", "status", "attempt", "heartbeat_at", "progress", "current_step",
            "started_at", "finished_at", "error", "verdict", "summary", "triggered_by",
            "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class RunFilter(ProjectSlugFilter):
    class Meta:
        model = EvaluationRun
        fields = ["project", "status", "verdict", "model_version", "test_plan"]


class EvaluationRunViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Evaluation runs (launching and cancelling arrive with the run workflow)."""

    serializer_class = EvaluationRunSerializer
    filterset_class = RunFilter
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[EvaluationRun]:
        return self.scoped(EvaluationRun.objects.select_related("project"))


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = [
            "id", "run", "plan_check", "criterion", "check_key", "category", "subject",
            "outcome", "observed", "threshold", "ci", "evidence", "flagged_rows", "sampling",
            "severity", "blocking", "message", "duration_ms",
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

    def get_queryset(self) -> QuerySet[CheckResult]:
        return self.scoped(CheckResult.objects.all())
