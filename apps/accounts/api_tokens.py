"""/api/v1/auth/token/ (a username and password exchanged for an API token) and
/api/v1/auth/tokens/ (the caller's tokens: list, revoke)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from knox.models import AuthToken
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.lockout import lockout_response
from qualiti.api import OwnRowsMixin
from qualiti.errors import InvalidInput
from qualiti.http import request_user


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The name you sign in with.")
    password = serializers.CharField(style={"input_type": "password"}, help_text="Your password.")
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A name for the token, to tell your tokens apart.",
    )
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.QUALITI_TOKEN_MAX_DAYS,
        help_text=f"Days until the token stops working (default {settings.QUALITI_TOKEN_DAYS}).",
    )


class TokenCreateView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token …`)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        tags=["tokens"],
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={
            201: inline_serializer(
                "TokenCreated",
                {
                    "token": serializers.CharField(
                        help_text="The token, shown in this answer only: send it as "
                        "`Authorization: Token <token>`."
                    ),
                    "token_key": serializers.CharField(
                        help_text="The token's public prefix, which names it in "
                        "/api/v1/auth/tokens/."
                    ),
                    "expiry": serializers.DateTimeField(help_text="When the token stops working."),
                },
            ),
            400: OpenApiResponse(description="Wrong username or password, or bad input."),
            429: OpenApiResponse(
                description="Too many failed attempts for this username from this "
                "address; `Retry-After` says when to try again."
            ),
        },
    )
    def post(self, request: Request) -> Response | HttpResponse:
        """Exchange a username and password for an API token. Repeated failures for one
        username from one address are locked out for a while (429)."""
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's own request: django-axes flags it when this attempt is locked out, and
        # authenticate() then only says "no user", which must not read as a wrong password.
        django_request = request._request
        user = authenticate(
            django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return lockout_response(django_request)
            raise InvalidInput("Wrong username or password.")
        # A token is a login: its receivers clear django-axes' failures and set last_login.
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        instance, token = services.api_token_create(
            user=user, days=data.validated_data.get("expires_in_days")
        )
        body = {"token": token, "token_key": instance.token_key, "expiry": instance.expiry}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry"]
        read_only_fields = fields
        extra_kwargs = {
            "token_key": {"help_text": "The token's public prefix, which names it."},
            "created": {"help_text": "When the token was made."},
            "expiry": {"help_text": "When the token stops working."},
        }


@extend_schema(tags=["tokens"])
@extend_schema_view(
    list=extend_schema(summary="List your API tokens"),
    destroy=extend_schema(
        summary="Revoke one of your API tokens",
        parameters=[
            OpenApiParameter(
                "token_key",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The token's public prefix (`token_key`).",
            )
        ],
    ),
)
class TokenViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The caller's API tokens, listed by their public prefix; DELETE revokes one."""

    serializer_class = TokenSerializer
    queryset = AuthToken.objects.none()  # for the schema; get_queryset() scopes to the caller
    lookup_field = "token_key"
    ordering = ["-created"]
    ordering_fields = ["created"]

    def base_queryset(self) -> QuerySet[AuthToken]:
        return AuthToken.objects.all()

    def perform_destroy(self, instance: AuthToken) -> None:
        services.api_token_revoke(user=request_user(self.request), token_key=instance.token_key)
