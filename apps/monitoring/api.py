"""/api/v1/monitoring-schedules/: a project's monitoring schedules, for pipelines and
scripts. Everyone who sees the project reads them; its quality manager (or an admin)
creates, changes and deletes them, through the services that keep beat's row in step."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import Action
from apps.monitoring.models import MonitoringSchedule, Weekday
from apps.monitoring.services import schedules as services
from apps.projects.models import Project
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter
from qualiti.api_schema import help_texts
from qualiti.errors import NotFound
from qualiti.http import request_user


class MonitoringScheduleSerializer(serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    when = serializers.CharField(
        source="when_words", read_only=True, help_text='When it runs, in words: "Mondays 06:00".'
    )
    next_run_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it runs next; null while disabled."
    )

    class Meta:
        model = MonitoringSchedule
        fields = [
            "id", "project", "plan_name", "day_of_week", "time", "enabled", "when",
            "next_run_at", "last_run_at", "last_outcome", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The schedule's id.",
            plan_name="The name of the test plan it runs; each round runs its approved version.",
            day_of_week="Cron's day of week: * (every day), 1-5 (Monday to Friday), or one "
            "day from 0 (Sunday) to 6.",
            enabled="Whether it runs; a disabled schedule is kept but never runs.",
            last_run_at="When it last ran; null if it never has.",
            created_at="When it was created.",
        )

    def to_representation(self, instance: MonitoringSchedule) -> dict:
        body = super().to_representation(instance)
        next_run = instance.next_run_at()
        body["next_run_at"] = next_run.isoformat() if next_run else None
        return body


class MonitoringScheduleWriteSerializer(serializers.Serializer):
    plan_name = serializers.CharField(
        max_length=200,
        help_text="The name of one of the project's test plans; each round runs its approved "
        "version.",
    )
    day_of_week = serializers.ChoiceField(
        choices=Weekday.choices,
        help_text="Cron's day of week: * (every day), 1-5 (Monday to Friday), or one day from 0 "
        "(Sunday) to 6.",
    )
    time = serializers.TimeField(help_text="Hour and minute, server time zone, e.g. 06:00.")
    enabled = serializers.BooleanField(
        default=True, help_text="Whether it runs; a disabled schedule is kept but never runs."
    )


class MonitoringScheduleCreateSerializer(MonitoringScheduleWriteSerializer):
    project = serializers.SlugField(max_length=80, help_text="The project's slug.")


@extend_schema(tags=["monitoring schedules"])
@extend_schema_view(
    list=extend_schema(summary="List monitoring schedules"),
    retrieve=extend_schema(summary="Read a monitoring schedule"),
    destroy=extend_schema(summary="Delete a monitoring schedule"),
)
class MonitoringScheduleViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Monitoring schedules of the projects you see: `?project=<slug>` narrows the list."""

    serializer_class = MonitoringScheduleSerializer
    filterset_class = ProjectSlugFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[MonitoringSchedule]:
        return MonitoringSchedule.objects.select_related("project")

    @extend_schema(
        summary="Create a monitoring schedule",
        request=MonitoringScheduleCreateSerializer,
        responses={201: MonitoringScheduleSerializer},
    )
    def create(self, request: Request) -> Response:
        slug = request.data.get("project") if hasattr(request.data, "get") else None
        if not slug:
            raise serializers.ValidationError({"project": ["This field is required."]})
        project = Project.objects.filter(slug=str(slug)).first()
        if project is None:  # answered exactly as a project the user may not see
            raise NotFound("No such project.")
        self.require(project, Action.SCHEDULES_MANAGE)  # refused before the body is read
        data = MonitoringScheduleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("project")
        schedule = services.monitoring_schedule_create(
            user=request_user(request), project=project, **values
        )
        body = MonitoringScheduleSerializer(schedule).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a monitoring schedule",
        request=MonitoringScheduleWriteSerializer(partial=True),
        responses=MonitoringScheduleSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        schedule = self.get_object()
        self.require(schedule.project, Action.SCHEDULES_MANAGE)
        data = MonitoringScheduleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            name: data.validated_data.get(name, getattr(schedule, name))
            for name in ("plan_name", "day_of_week", "time", "enabled")
        }
        schedule = services.monitoring_schedule_update(
            user=request_user(request), schedule=schedule, **values
        )
        return Response(MonitoringScheduleSerializer(schedule).data)

    def destroy(self, request: Request, pk: str) -> Response:
        schedule = self.get_object()
        services.monitoring_schedule_delete(user=request_user(request), schedule=schedule)
        return Response(status=status.HTTP_204_NO_CONTENT)
