"""The caller's notification preferences: how each kind of notice reaches them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.notifications.kinds import KINDS, KINDS_BY_KEY, Delivery
from apps.notifications.models import NotificationPreference
from apps.notifications.services import delivery_for, preference_set
from qualiti.errors import NotFound
from qualiti.http import request_user


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(
        read_only=True, help_text="The kind's key, which names it in the URL and on notifications."
    )
    name = serializers.CharField(read_only=True, help_text="The kind's name.")
    when = serializers.CharField(read_only=True, help_text="You are told when…")
    delivery = serializers.ChoiceField(
        choices=Delivery.choices,
        help_text="How it reaches you: app (in the app only), immediate (e-mail at once) or "
        "digest (daily digest).",
    )
    chosen = serializers.BooleanField(
        read_only=True, help_text="False while the default for your role applies."
    )


@extend_schema(tags=["notification preferences"])
class NotificationPreferenceViewSet(viewsets.ViewSet):
    """Every kind of notice with its delivery: `app` (in the app only), `immediate`
    (e-mail at once) or `digest` (daily digest). PATCH one kind to change it."""

    lookup_field = "kind"
    lookup_value_regex = r"[a-z_]+"
    serializer_class = PreferenceSerializer

    def _row(self, kind_key: str, chosen: set[str]) -> dict:
        user = request_user(self.request)
        kind = KINDS_BY_KEY[kind_key]
        return {
            "kind": kind.key,
            "name": kind.label,
            "when": kind.when,
            "delivery": delivery_for(user=user, kind=kind.key).value,
            "chosen": kind.key in chosen,
        }

    def _chosen(self) -> set[str]:
        user = request_user(self.request)
        return set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))

    @extend_schema(
        summary="List every kind of notice with how it reaches you",
        responses=PreferenceSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        chosen = self._chosen()
        return Response([self._row(kind.key, chosen) for kind in KINDS])

    @extend_schema(
        summary="Choose how one kind of notice reaches you",
        parameters=[
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The kind's key (`kind` in the list).",
            )
        ],
        request=PreferenceSerializer,
        responses=PreferenceSerializer,
    )
    def partial_update(self, request: Request, kind: str) -> Response:
        if kind not in KINDS_BY_KEY:
            raise NotFound(f"There is no notification kind {kind!r}.")
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference_set(
            user=request_user(request), kind=kind, delivery=serializer.validated_data["delivery"]
        )
        return Response(self._row(kind, self._chosen()))
