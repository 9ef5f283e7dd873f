from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from apps.accounts.models import User
from apps.audit.models import StatusChange
from apps.projects.models import Project
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter


class StatusChangeSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    subject_type = serializers.CharField(source="content_type.model", read_only=True)
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = StatusChange
        fields = [
            "id", "project", "subject_type", "object_id", "kind", "from_status",
            "to_status", "reason", "actor", "run", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class StatusChangeFilter(ProjectSlugFilter):
    class Meta:
        model = StatusChange
        fields = ["project", "object_id", "to_status", "kind"]


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
