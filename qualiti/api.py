"""What every API endpoint shares: the error shape and project scoping."""

from typing import TYPE_CHECKING, Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.accounts.permissions import Action, project_action_check, scope_to_visible_projects
from apps.projects.models import Project
from qualiti.errors import QualitiError
from qualiti.filters import QualitiFilterSet
from qualiti.http import request_user


def exception_handler(error: Exception, context: dict) -> Response | None:
    """Domain errors and model validation become 4xx answers with a message."""
    if isinstance(error, QualitiError):
        return Response(error.as_dict(), status=error.status_code)
    if isinstance(error, OverflowError | DataError):
        # A number beyond what the database stores (an id or filter of 2**70, say): it can
        # match nothing, so it is the request that is wrong, not the server.
        return Response({"detail": "A number in the request is out of range."}, status=400)
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "message_dict"):
            return Response({"detail": "Invalid input.", "errors": error.message_dict}, status=400)
        return Response({"detail": " ".join(error.messages)}, status=400)
    return drf_exception_handler(error, context)


def project_for_action(*, request: Request, project: Project | int, action: Action) -> None:
    """404 when the user may not see the project, 403 when they see it but may not act: the
    services' own check, asked early (an upload, before its body is read)."""
    project_id = project if isinstance(project, int) else project.pk
    project_action_check(user=request_user(request), project_id=project_id, action=action)


# The mixins below are only ever mixed into viewsets: the type checker reads them as views,
# so `self.request` is DRF's Request. At run time they stay plain classes.
if TYPE_CHECKING:
    _ViewsetBase = GenericAPIView
else:
    _ViewsetBase = object


class _ScopedQuerysetGuard(_ViewsetBase):
    """A viewset base that owns `get_queryset`: subclasses give `base_queryset()` and the
    base scopes it, so forgetting the scoping is impossible. A subclass that defines its
    own `get_queryset` is refused when the class is created (as PostHog's routing mixin
    refuses a viewset that bypasses team scoping)."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__ and not cls.__dict__.get("scoping_base", False):
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(), which would bypass the scoping of "
                f"{_ScopedQuerysetGuard.__name__}'s subclasses: define base_queryset() instead."
            )

    def base_queryset(self) -> QuerySet:
        """The rows before scoping (with their select_related); subclasses define it."""
        raise NotImplementedError


class ProjectScopedMixin(_ScopedQuerysetGuard):
    """Every viewset of project data: lists and lookups only ever see visible projects,
    and `?project=<slug>` narrows the list to one project."""

    project_field = "project"  # the lookup path from the model to its project
    scoping_base = True

    def get_queryset(self) -> QuerySet:
        return self.scoped(self.base_queryset())

    def scoped(self, queryset: QuerySet) -> QuerySet:
        queryset = scope_to_visible_projects(
            queryset, user=self.request.user, project_field=self.project_field
        )
        slug = self.request.query_params.get("project")
        if slug:
            slug_field = "slug" if self.project_field == "id" else f"{self.project_field}__slug"
            queryset = queryset.filter(**{slug_field: slug})
        return queryset

    def project_of(self, instance: object) -> Project:
        if isinstance(instance, Project):
            return instance
        related: Any = instance  # each step of project_field, ending at the project
        for part in self.project_field.split("__"):
            related = getattr(related, part)
        return related

    def require(self, project: Project | int, action: Action) -> None:
        project_for_action(request=self.request, project=project, action=action)


class OwnRowsMixin(_ScopedQuerysetGuard):
    """Viewsets of the caller's own rows (notifications, API tokens): only ever theirs."""

    owner_field = "user"
    scoping_base = True

    def get_queryset(self) -> QuerySet:
        return self.base_queryset().filter(**{self.owner_field: request_user(self.request)})


@extend_schema_field(OpenApiTypes.STR)
class VisibleProjectField(serializers.SlugRelatedField):
    """A project named by slug, among those the requesting user may see: a project they
    may not see answers exactly like one that does not exist."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        user = self.context["request"].user
        return scope_to_visible_projects(Project.objects.all(), user=user, project_field="id")


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id, among those of projects the user may see."""

    def __init__(
        self, *, model: type[models.Model], project_field: str = "project", **kwargs: Any
    ) -> None:
        self.model = model
        self.project_field = project_field
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        user = self.context["request"].user
        return scope_to_visible_projects(
            self.model._default_manager.all(), user=user, project_field=self.project_field
        )


class ProjectSlugFilter(QualitiFilterSet):
    """Documents `?project=<slug>` in the schema; ProjectScopedMixin.scoped() applies it."""

    project = django_filters.CharFilter(method="by_project", label="Project slug")

    def by_project(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # already narrowed by ProjectScopedMixin.scoped()
