"""/api/v1/: findings, their corrective actions, comments and risk acceptances (the
serializers are in serializers.py)."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

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
from apps.findings.serializers import (
    ActionProposeSerializer,
    ActionTakeSerializer,
    CommentSerializer,
    CorrectiveActionSerializer,
    CorrectiveActionUpdateSerializer,
    DecisionSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    FindingUpdateSerializer,
    RiskAcceptanceSerializer,
    TransitionSerializer,
)
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter
from qualiti.api_schema import filter_help_texts
from qualiti.filters import IntegerFilter, QualitiFilterSet
from qualiti.http import request_user

PROJECT_SLUG = "Only those of this project (slug)."
FINDING_ID = "Only those of this finding (id)."


class FindingFilter(ProjectSlugFilter):
    status = django_filters.MultipleChoiceFilter(
        choices=FindingStatus.choices, help_text="Only findings in these statuses (repeatable)."
    )
    severity = django_filters.MultipleChoiceFilter(
        choices=Severity.choices, help_text="Only findings of these severities (repeatable)."
    )
    category = django_filters.MultipleChoiceFilter(
        choices=Category.choices, help_text="Only findings of these categories (repeatable)."
    )
    team = IntegerFilter(
        field_name="assigned_team_id", help_text="Only findings assigned to this team (id)."
    )
    assignee = IntegerFilter(
        field_name="assignee_id", help_text="Only findings assigned to this user (id)."
    )
    overdue = django_filters.BooleanFilter(
        method="by_overdue",
        help_text="true: only findings still open past their due date; false: only the others.",
    )

    class Meta:
        model = Finding
        fields = ["project", "status", "severity", "category", "team", "assignee", "overdue"]

    def by_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = selectors.overdue_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)


@extend_schema(tags=["findings"])
@extend_schema_view(
    list=extend_schema(summary="List findings, newest first"),
    retrieve=extend_schema(summary="Read a finding"),
)
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

    @extend_schema(
        summary="Open a finding by hand",
        request=FindingCreateSerializer,
        responses={201: FindingSerializer},
    )
    def create(self, request: Request) -> Response:
        """Its due date follows from the project's SLA days for its severity."""
        data = FindingCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        finding = services.finding_create(user=request_user(request), **data.validated_data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Triage a finding: edit, set its severity, assign it",
        request=FindingUpdateSerializer,
        responses=FindingSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """The project's quality manager triages; `version` guards against a change made
        since you read it (409)."""
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

    @extend_schema(
        summary="Change a finding's status",
        request=TransitionSerializer,
        responses=FindingSerializer,
    )
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

    @extend_schema(
        summary="Propose a corrective action for a finding",
        request=ActionProposeSerializer,
        responses={201: CorrectiveActionSerializer},
    )
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


class CorrectiveActionFilter(QualitiFilterSet):
    project = django_filters.CharFilter(field_name="finding__project__slug", help_text=PROJECT_SLUG)
    finding = IntegerFilter(field_name="finding_id", help_text=FINDING_ID)
    status = django_filters.CharFilter(
        help_text="Only actions in this status: " + ", ".join(ActionStatus.values) + "."
    )

    class Meta:
        model = CorrectiveAction
        fields = ["project", "finding", "status"]


@extend_schema(tags=["corrective actions"])
@extend_schema_view(
    list=extend_schema(summary="List corrective actions, soonest due first"),
    retrieve=extend_schema(summary="Read a corrective action"),
    create=extend_schema(summary="Add a corrective action to a finding"),
)
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

    @extend_schema(
        summary="Update a corrective action",
        request=CorrectiveActionUpdateSerializer,
        responses=CorrectiveActionSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """The finding's team moves its status; only the quality manager changes its text,
        owner or date, or rejects it. `version` guards against a change made since you read
        it (409)."""
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

    @extend_schema(
        summary='Take on a corrective action ("I\'ll do it")',
        request=ActionTakeSerializer,
        responses=CorrectiveActionSerializer,
    )
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


class CommentFilter(QualitiFilterSet):
    project = django_filters.CharFilter(field_name="finding__project__slug", help_text=PROJECT_SLUG)
    finding = IntegerFilter(field_name="finding_id", help_text=FINDING_ID)

    class Meta:
        model = Comment
        fields = ["project", "finding"]


@extend_schema(tags=["comments"])
@extend_schema_view(
    list=extend_schema(summary="List comments, oldest first"),
    retrieve=extend_schema(summary="Read a comment"),
    create=extend_schema(summary="Comment on a finding"),
)
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


@filter_help_texts(state="Only risk acceptances in this state.")
class RiskAcceptanceFilter(QualitiFilterSet):
    class Meta:
        model = RiskAcceptance
        fields = ["state"]


@extend_schema(tags=["risk acceptances"])
@extend_schema_view(
    list=extend_schema(summary="List risk acceptances, newest first"),
    retrieve=extend_schema(summary="Read a risk acceptance"),
    create=extend_schema(summary="Ask to accept a finding's risk until a date"),
)
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
    filterset_class = RiskAcceptanceFilter
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

    @extend_schema(
        summary="Approve a risk acceptance",
        request=DecisionSerializer,
        responses=RiskAcceptanceSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Management or an administrator: the finding's risk is accepted until the
        acceptance's expiry date, when the finding reopens."""
        return self._decide(request, approve=True)

    @extend_schema(
        summary="Reject a risk acceptance",
        request=DecisionSerializer,
        responses=RiskAcceptanceSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Management or an administrator."""
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
