from typing import cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.lockout import lockout_response
from apps.accounts.models import Membership, Notification, Team, User
from apps.accounts.permissions import organisation_action_check, visible_project_ids
from apps.projects.models import Project
from qualiti.api import OwnRowsMixin, ProjectScopedMixin, ProjectSlugFilter, VisibleProjectField
from qualiti.errors import InvalidInput
from qualiti.http import request_user


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "org_role"]
        read_only_fields = fields


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users who share a project with the caller (everyone, for admins and management)."""

    serializer_class = UserSerializer
    ordering_fields = ["username", "date_joined"]
    ordering = ["username"]
    filterset_fields = ["org_role"]

    def get_queryset(self) -> QuerySet[User]:
        visible = visible_project_ids(user=self.request.user)
        users = User.objects.filter(is_active=True)
        if visible is None:
            return users
        return users.filter(
            Q(memberships__project__in=visible) | Q(pk=self.request.user.pk)
        ).distinct()


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )

    class Meta:
        model = Team
        fields = ["id", "name", "members", "created_at"]
        read_only_fields = ["created_at"]


class TeamViewSet(viewsets.ModelViewSet):
    """Teams are organisation-wide: admins and quality managers manage them."""

    serializer_class = TeamSerializer
    queryset = Team.objects.prefetch_related("members")
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def check_permissions(self, request: Request) -> None:
        # The services decide; asked here too so a refused writer learns nothing from the
        # validation of the body (which user ids exist).
        super().check_permissions(request)
        if request.method not in permissions.SAFE_METHODS:
            organisation_action_check(user=request_user(request), refusal=services.MANAGE_TEAMS)

    def perform_create(self, serializer: serializers.BaseSerializer[Team]) -> None:
        serializer.instance = services.team_create(
            actor=request_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Team]) -> None:
        # An update's serializer always holds the instance (UpdateModelMixin.update).
        team = cast(Team, serializer.instance)
        services.team_update(
            team=team, actor=request_user(self.request), **serializer.validated_data
        )

    def perform_destroy(self, instance: Team) -> None:
        services.team_delete(team=instance, actor=request_user(self.request))


class MembershipSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = Membership
        fields = ["id", "project", "user", "role", "created_at"]
        read_only_fields = ["created_at"]


class MembershipViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    filterset_class = ProjectSlugFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.select_related("project", "user")

    def perform_create(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        serializer.instance = services.membership_create(
            project=serializer.validated_data["project"],
            user=serializer.validated_data["user"],
            role=serializer.validated_data["role"],
            actor=request_user(self.request),
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        # An update's serializer always holds the instance (UpdateModelMixin.update).
        membership = cast(Membership, serializer.instance)
        unchanged = {"project": membership.project, "user": membership.user}
        for field, current in unchanged.items():
            if serializer.validated_data.get(field, current) != current:
                raise serializers.ValidationError({field: "Only a membership's role can change."})
        services.membership_update(
            membership=membership,
            role=serializer.validated_data.get("role", membership.role),
            actor=request_user(self.request),
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_delete(membership=instance, actor=request_user(self.request))


class NotificationSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Notification
        fields = ["id", "project", "kind", "message", "link", "read_at", "created_at"]
        read_only_fields = fields


class NotificationViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset() scopes to the caller
    filterset_fields = ["kind"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.select_related("project")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
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
        request=TokenRequestSerializer,
        responses={
            201: inline_serializer(
                "TokenCreated",
                {
                    "token": serializers.CharField(),
                    "token_key": serializers.CharField(),
                    "expiry": serializers.DateTimeField(),
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
