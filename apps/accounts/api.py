"""/api/v1/: users, teams, project memberships and the caller's notifications (API tokens
are in api_tokens.py)."""

from typing import cast

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import services
from apps.accounts.models import Membership, Notification, Team, User
from apps.accounts.permissions import organisation_action_check, visible_project_ids
from apps.projects.models import Project
from qualiti.api import OwnRowsMixin, ProjectScopedMixin, ProjectSlugFilter, VisibleProjectField
from qualiti.api_schema import filter_help_texts, help_texts
from qualiti.filters import QualitiFilterSet
from qualiti.http import request_user


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "org_role"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The user's id.",
            username="The name the user signs in with.",
            first_name="The user's first name.",
            last_name="The user's last name.",
            email="The user's e-mail address.",
            org_role="The user's organisation-wide role, empty for none: admin, quality "
            "manager or management (project roles are memberships).",
        )


@filter_help_texts(org_role="Only users with this organisation-wide role.")
class UserFilter(QualitiFilterSet):
    class Meta:
        model = User
        fields = ["org_role"]


@extend_schema(tags=["users"])
@extend_schema_view(
    list=extend_schema(summary="List the users who share a project with you"),
    retrieve=extend_schema(summary="Read a user"),
)
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users who share a project with the caller (everyone, for admins and management)."""

    serializer_class = UserSerializer
    ordering_fields = ["username", "date_joined"]
    ordering = ["username"]
    filterset_class = UserFilter

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
        queryset=User.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the team's members.",
    )

    class Meta:
        model = Team
        fields = ["id", "name", "members", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = help_texts(
            id="The team's id.",
            name="The team's name, unique in the organisation.",
            created_at="When the team was created.",
        )


@extend_schema(tags=["teams"])
@extend_schema_view(
    list=extend_schema(summary="List teams"),
    create=extend_schema(summary="Create a team"),
    retrieve=extend_schema(summary="Read a team"),
    partial_update=extend_schema(summary="Rename a team or change its members"),
    destroy=extend_schema(summary="Delete a team"),
)
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
    project = VisibleProjectField(help_text="The project's slug; it cannot change.")
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="The member's user id; it cannot change.",
    )

    class Meta:
        model = Membership
        fields = ["id", "project", "user", "role", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = help_texts(
            id="The membership's id.",
            role="The member's role in the project: quality manager, developer or viewer.",
            created_at="When the user joined the project.",
        )


@extend_schema(tags=["memberships"])
@extend_schema_view(
    list=extend_schema(summary="List project memberships"),
    create=extend_schema(summary="Add a user to a project with a role"),
    retrieve=extend_schema(summary="Read a membership"),
    partial_update=extend_schema(summary="Change a member's role"),
    destroy=extend_schema(summary="Remove a user from a project"),
)
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
        slug_field="slug",
        read_only=True,
        help_text="The slug of the project it is about, if any.",
    )

    class Meta:
        model = Notification
        fields = ["id", "project", "kind", "message", "link", "read_at", "created_at"]
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The notification's id.",
            kind="The kind of notice (a key of /api/v1/notification-preferences/).",
            message="What happened, in words.",
            link="The page it is about, a path on this site.",
            read_at="When you marked it read; null while unread.",
            created_at="When it was sent.",
        )


@filter_help_texts(kind="Only notifications of this kind.")
class NotificationFilter(QualitiFilterSet):
    class Meta:
        model = Notification
        fields = ["kind"]


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(summary="List your notifications, newest first"),
    retrieve=extend_schema(summary="Read one of your notifications"),
)
class NotificationViewSet(
    OwnRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset() scopes to the caller
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def base_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.select_related("project")

    @extend_schema(
        summary="Mark a notification read", request=None, responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Marking it read again changes nothing."""
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)
