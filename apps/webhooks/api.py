"""/api/v1/webhooks/: a project's outgoing webhooks, their delivery log, and "send again".

Only the project's quality manager (or an admin) manages webhooks: anyone else who sees the
project gets 403, anyone who does not, 404. The secret is in the create answer only.
"""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import User
from apps.accounts.permissions import Action, effective_role
from apps.projects.models import Project
from apps.webhooks import selectors, services
from apps.webhooks.models import (
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookFormat,
)
from qualiti.api import ProjectScopedMixin, ProjectSlugFilter
from qualiti.api_schema import help_texts
from qualiti.errors import NotFound
from qualiti.http import request_user

URL = "The http:// or https:// URL that receives the events (no user name or password in it)."
EVENTS = "The events it receives: " + ", ".join(WebhookEvent.values) + "."
FORMAT = "json (Qualiti's payload) or slack (a Slack-compatible `text` line)."


class WebhookSerializer(serializers.ModelSerializer):
    project: "serializers.SlugRelatedField[Project]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    created_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of who made it."
    )

    class Meta:
        model = Webhook
        fields = [
            "id", "project", "url", "events", "format", "active", "disabled_reason",
            "created_by", "created_at", "failing_since",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The webhook's id.",
            url=URL,
            format=FORMAT,
            active="Whether events are sent; it turns itself off when every delivery has "
            "failed for a while (a day unless configured).",
            disabled_reason="Why it was turned off; empty while active.",
            created_at="When it was made.",
            failing_since="Since when every try has failed; null after a success.",
        )


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="Shown in this answer only: keep it to check each delivery's "
        "X-Qualiti-Signature (sha256=<hex HMAC-SHA256 of the body, keyed with it>).",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text=URL)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        help_text=EVENTS,
    )
    format = serializers.ChoiceField(
        choices=WebhookFormat.choices, default=WebhookFormat.JSON, help_text=FORMAT
    )


class WebhookCreateSerializer(WebhookWriteSerializer):
    project = serializers.SlugField(max_length=80, help_text="The project's slug.")


class WebhookUpdateSerializer(WebhookWriteSerializer):
    active = serializers.BooleanField(
        required=False, help_text="Turn a disabled webhook back on (or off)."
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "duration_ms", "response_status", "error", "succeeded"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            number="The try's number: 1, 2, 3…",
            started_at="When it started.",
            duration_ms="How long it took, in milliseconds.",
            response_status="The receiver's HTTP status code; null when none came.",
            error="What went wrong; empty for a success.",
            succeeded="Whether the receiver answered with a 2xx status.",
        )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(
        many=True, read_only=True, help_text="Each try, in order."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "webhook", "event", "event_id", "status", "attempts", "response_status",
            "error", "next_attempt_at", "created_at", "updated_at", "payload", "attempt_log",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The delivery's id.",
            webhook="Id of the webhook it was sent to.",
            event="The event it reports.",
            event_id="The event's unique id (the body's `id`), the same for every webhook "
            "and every try.",
            status="pending (tries remain), delivered or failed.",
            attempts="How many tries were made.",
            response_status="The last try's HTTP status code; null when none came.",
            error="What went wrong in the last try; empty after a success.",
            next_attempt_at="When the next try is due; null when none is.",
            created_at="When the event happened.",
            updated_at="When the delivery last changed.",
        )


DELIVERY_ID = OpenApiParameter(
    "delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The delivery's id."
)


@extend_schema(tags=["webhooks"])
@extend_schema_view(
    list=extend_schema(summary="List the webhooks you manage"),
    retrieve=extend_schema(summary="Read a webhook"),
    destroy=extend_schema(summary="Delete a webhook and its delivery log"),
)
class WebhookViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhooks of the projects you manage: `?project=<slug>` narrows the list."""

    serializer_class = WebhookSerializer
    filterset_class = ProjectSlugFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.select_related("project", "created_by")

    def list(self, request: Request) -> Response:
        slug = request.query_params.get("project")
        if slug:
            project = Project.objects.filter(slug=slug).first()
            if project and effective_role(user=request_user(request), project_id=project.pk):
                self.require(project, Action.WEBHOOKS_MANAGE)
        return super().list(request)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.action == "list":
            queryset = selectors.webhooks_manageable_filter(
                queryset, user=request_user(self.request)
            )
        return queryset

    def managed_object(self) -> Webhook:
        """The webhook (404 if its project is out of sight), 403 unless the caller manages
        the project's webhooks."""
        webhook = self.get_object()
        self.require(webhook.project, Action.WEBHOOKS_MANAGE)
        return webhook

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WebhookSerializer(self.managed_object()).data)

    @extend_schema(
        summary="Create a webhook",
        description="The answer carries the webhook's `secret`, once.",
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
    )
    def create(self, request: Request) -> Response:
        slug = request.data.get("project") if hasattr(request.data, "get") else None
        if not slug:
            raise serializers.ValidationError({"project": ["This field is required."]})
        project = Project.objects.filter(slug=str(slug)).first()
        if project is None:  # answered exactly as a project the user may not see
            raise NotFound("No such project.")
        self.require(project, Action.WEBHOOKS_MANAGE)  # refused before the body is read
        data = WebhookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("project")
        webhook = services.webhook_create(user=request_user(request), project=project, **values)
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a webhook",
        description="Turning a disabled webhook back on (`active`) gives it a clean slate.",
        request=WebhookUpdateSerializer(partial=True),
        responses=WebhookSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        webhook = self.managed_object()
        data = WebhookUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        webhook = services.webhook_update(
            webhook=webhook, user=request_user(request), **data.validated_data
        )
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    def destroy(self, request: Request, pk: str) -> Response:
        services.webhook_delete(webhook=self.managed_object(), user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="List a webhook's deliveries, newest first",
        responses=WebhookDeliverySerializer(many=True),
        parameters=[OpenApiParameter("project", exclude=True)],
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The webhook's delivery log, newest first, each with its tries."""
        deliveries = selectors.delivery_list(webhook=self.managed_object())
        page = self.paginate_queryset(deliveries)
        items = page if page is not None else list(deliveries)
        body = WebhookDeliverySerializer(items, many=True).data
        return self.get_paginated_response(body) if page is not None else Response(body)

    @extend_schema(
        summary="Send a delivery again",
        parameters=[DELIVERY_ID],
        request=inline_serializer("Redeliver", fields={}),
        responses={202: WebhookDeliverySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/redeliver",
        url_name="redeliver",
    )
    def redeliver(self, request: Request, pk: str, delivery_id: str) -> Response:
        """Send the delivery's same body again, as one more try."""
        webhook = self.managed_object()
        delivery = WebhookDelivery.objects.filter(webhook=webhook, pk=int(delivery_id)).first()
        if delivery is None:
            raise NotFound("No such delivery.")
        delivery = services.delivery_redeliver(delivery=delivery, user=request_user(request))
        body = WebhookDeliverySerializer(
            selectors.delivery_list(webhook=webhook).get(pk=delivery.pk)
        )
        return Response(body.data, status=status.HTTP_202_ACCEPTED)
