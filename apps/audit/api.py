"""/api/v1/history/: the history of everything with a status, for audits and pipelines."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from apps.accounts.models import User
from apps.audit.models import StatusChange
from apps.projects.models import Project
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter
from qualiti.api_schema import filter_help_texts, help_texts


class StatusChangeSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    subject_type = serializers.CharField(
        source="content_type.model",
        read_only=True,
        help_text="What changed: finding, correctiveaction, testplan, evaluationrun…",
    )
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        help_text="Username of who made the change; null for the system.",
    )

    class Meta:
        model = StatusChange
        fields = [
            "id", "project", "subject_type", "object_id", "kind", "from_status",
            "to_status", "reason", "actor", "run", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The history line's id.",
            object_id="Id of what changed (of the kind subject_type names).",
            kind="What the line records: a status change, an assignment, an action taken or "
            "proposed.",
            from_status="The status before; empty for a creation. Lines that are not a "
            "change of status keep the status in both.",
            to_status="The status after.",
            reason="Why, as the person gave it; empty if they gave none.",
            created_at="When it happened.",
        )


@filter_help_texts(
    object_id="Only the lines of the subject with this id (give subject_type too).",
    to_status="Only changes to this status.",
    kind="Only lines of this kind.",
)
class StatusChangeFilter(ProjectSlugFilter):
    class Meta:
        model = StatusChange
        fields = ["project", "object_id", "to_status", "kind"]


@extend_schema(tags=["history"])
@extend_schema_view(
    list=extend_schema(
        summary="List history lines, oldest first",
        parameters=[
            OpenApiParameter(
                "subject_type",
                OpenApiTypes.STR,
                description="Only the lines of this kind of subject: finding, "
                "correctiveaction, testplan, evaluationrun…",
            )
        ],
    ),
    retrieve=extend_schema(summary="Read a history line"),
)
class StatusChangeViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The history: every status change of every finding, action, plan and run, and the
    other lines of a finding's life (`kind`: assignment, action_taken, action_proposed)."""

    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "id"]

    def base_queryset(self) -> QuerySet[StatusChange]:
        changes = StatusChange.objects.select_related("project", "content_type", "actor")
        subject_type = self.request.query_params.get("subject_type")
        if subject_type:
            changes = changes.filter(content_type__model=subject_type)
        return changes
