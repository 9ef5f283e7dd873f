import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Team, User
from apps.criteria.models import Category, Severity
from apps.findings import selectors, services
from apps.findings.models import (
    ActionStatus,
    Comment,
    CorrectiveAction,
    Finding,
    FindingStatus,
    RiskAcceptance,
)
from apps.projects.models import Project
from qualiti.api import (
    ProjectScopedMixin,
    ProjectSlugFilter,
    VisibleProjectField,
    VisibleRelatedField,
)
from qualiti.filters import IntegerFilter, QualitiFilterSet
from qualiti.http import request_user


class FindingSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    is_overdue = serializers.BooleanField(read_only=True)
    overdue_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id", "project", "title", "description", "severity", "category", "status",
            "source", "fingerprint", "criterion", "check_key", "subject", "first_seen_run",
            "last_seen_run", "assigned_team", "assignee", "due_date", "is_overdue",
            "overdue_days", "remediation", "risk_expires_on", "version", "created_at",
            "updated_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class FindingCreateSerializer(serializers.Serializer):
    project = VisibleProjectField()
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    remediation = serializers.CharField(required=False, allow_blank=True, default="")


class FindingUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    assigned_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=FindingStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class CorrectiveActionSerializer(serializers.ModelSerializer):
    finding = VisibleRelatedField(model=Finding)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "finding", "description", "owner", "due_date", "status", "version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "version", "created_at", "updated_at"]


class ActionProposeSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ActionTakeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class FindingFilter(ProjectSlugFilter):
    status = django_filters.MultipleChoiceFilter(choices=FindingStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)
    team = IntegerFilter(field_name="assigned_team_id")
    assignee = IntegerFilter(field_name="assignee_id")
    overdue = django_filters.BooleanFilter(method="by_overdue")

    class Meta:
        model = Finding
        fields = ["project", "status", "severity", "category", "team", "assignee", "overdue"]

    def by_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = selectors.overdue_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class FindingViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    ordering_fields = ["created_at", "due_date", "severity", "updated_at"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Finding]:
        return selectors.finding_list(user=self.request.user)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer})
    def create(self, request: Request) -> Response:
        data = FindingCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        finding = services.finding_create(user=request_user(request), **data.validated_data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FindingUpdateSerializer, responses=FindingSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        finding = self.get_object()
        data = FindingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team, assignee = values.pop("assigned_team", None), values.pop("assignee", None)
        finding = services.finding_update(
            finding=finding,
            user=request_user(request),
            assigned_team_id=team.pk if team else None,
            assignee_id=assignee.pk if assignee else None,
            fields_given=frozenset(data.validated_data),
            **values,
        )
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    @extend_schema(request=TransitionSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        """Move the finding to another status; 400 names the allowed ones, 409 if stale."""
        finding = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.finding_transition(
            finding=finding, user=request_user(request), **data.validated_data
        )
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data)

    @extend_schema(request=ActionProposeSerializer, responses={201: CorrectiveActionSerializer})
    @action(detail=True, methods=["post"], url_path="propose-action")
    def propose_action(self, request: Request, pk: str) -> Response:
        """Propose a corrective action (the finding's team, its quality manager); it waits,
        proposed, for the quality manager to accept or reject it."""
        finding = self.get_object()
        data = ActionProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposed = services.corrective_action_propose(
            finding=finding, user=request_user(request), **data.validated_data
        )
        return Response(CorrectiveActionSerializer(proposed).data, status=status.HTTP_201_CREATED)


class CorrectiveActionUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    description = serializers.CharField(required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    due_date = serializers.DateField(allow_null=True, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectiveActionFilter(QualitiFilterSet):
    project = django_filters.CharFilter(field_name="finding__project__slug")
    finding = IntegerFilter(field_name="finding_id")
    status = django_filters.CharFilter()

    class Meta:
        model = CorrectiveAction
        fields = ["project", "finding", "status"]


class CorrectiveActionViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    project_field = "finding__project"
    serializer_class = CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilter
    ordering_fields = ["created_at", "due_date"]
    ordering = ["due_date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[CorrectiveAction]:
        return selectors.corrective_action_list(user=self.request.user)

    def create(self, request: Request) -> Response:
        data = CorrectiveActionSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        owner = values.pop("owner", None)
        created = services.corrective_action_create(
            user=request_user(request), owner_id=owner.pk if owner else None, **values
        )
        return Response(CorrectiveActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CorrectiveActionUpdateSerializer, responses=CorrectiveActionSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        corrective_action = self.get_object()
        data = CorrectiveActionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        owner = values.pop("owner", None)
        updated = services.corrective_action_update(
            action=corrective_action,
            user=request_user(request),
            owner_id=owner.pk if owner else None,
            fields_given=frozenset(data.validated_data),
            **values,
        )
        return Response(CorrectiveActionSerializer(updated).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    @extend_schema(request=ActionTakeSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        """ "I'll do it": the caller owns the action, now in progress; 409 if stale."""
        corrective_action = self.get_object()
        data = ActionTakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        taken = services.corrective_action_take(
            action=corrective_action, user=request_user(request), **data.validated_data
        )
        return Response(CorrectiveActionSerializer(taken).data)


class CommentSerializer(serializers.ModelSerializer):
    finding = VisibleRelatedField(model=Finding)
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Comment
        fields = ["id", "finding", "author", "body", "created_at"]
        read_only_fields = ["author", "created_at"]


class CommentFilter(QualitiFilterSet):
    project = django_filters.CharFilter(field_name="finding__project__slug")
    finding = IntegerFilter(field_name="finding_id")

    class Meta:
        model = Comment
        fields = ["project", "finding"]


class CommentViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    project_field = "finding__project"
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "id"]

    def base_queryset(self) -> QuerySet[Comment]:
        return selectors.comment_list(user=self.request.user)

    def create(self, request: Request) -> Response:
        data = CommentSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        comment = services.comment_create(user=request_user(request), **data.validated_data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class RiskAcceptanceSerializer(serializers.ModelSerializer):
    finding = VisibleRelatedField(model=Finding)

    class Meta:
        model = RiskAcceptance
        fields = [
            "id", "finding", "justification", "expires_on", "state", "requested_by",
            "decided_by", "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["state", "requested_by", "decided_by", "decided_at", "created_at"]


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RiskAcceptanceViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requested by the quality manager; approved or rejected by management or an admin."""

    project_field = "finding__project"
    serializer_class = RiskAcceptanceSerializer
    filterset_fields = ["state"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[RiskAcceptance]:
        return RiskAcceptance.objects.select_related("finding", "finding__project")

    def create(self, request: Request) -> Response:
        data = RiskAcceptanceSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        acceptance = services.risk_acceptance_request(
            user=request_user(request), **data.validated_data
        )
        return Response(RiskAcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=RiskAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses=RiskAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=False)

    def _decide(self, request: Request, *, approve: bool) -> Response:
        acceptance = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.risk_acceptance_decide(
            acceptance=acceptance,
            user=request_user(request),
            approve=approve,
            **data.validated_data,
        )
        return Response(RiskAcceptanceSerializer(decided).data)
