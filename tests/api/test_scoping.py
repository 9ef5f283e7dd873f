"""Scoping that cannot be forgotten: every registered viewset is scoped by its base class
(to visible projects, or to the caller's own rows), or is organisation-wide by a stated
reason; a viewset that bypasses the base class's scoping cannot even be defined."""

import pytest
from django.core.exceptions import FieldDoesNotExist
from rest_framework import viewsets
from rest_framework.routers import DefaultRouter

from apps.accounts.api import TeamViewSet, UserViewSet
from apps.criteria.api import CriterionTemplateViewSet
from apps.evaluations.api import CheckViewSet
from apps.findings.models import Finding
from apps.notifications.api import NotificationPreferenceViewSet
from apps.standards.api import FrameworkViewSet
from qualiti.api import OwnRowsMixin, ProjectScopedMixin
from qualiti.api_urls import router

# Viewsets that are rightly not scoped by either base class, and why.
ORGANISATION_WIDE = {
    TeamViewSet: "teams are the organisation's; only admins and quality managers change them",
    UserViewSet: "users who share a project with the caller, scoped in its own query",
    CriterionTemplateViewSet: "the catalogue is the same for every project",
    CheckViewSet: "the engine's registry holds no rows",
    FrameworkViewSet: "the frameworks and their requirements are the same for every project",
    NotificationPreferenceViewSet: "the caller's own preferences: every query names request.user",
}


def unscoped(registered_router: DefaultRouter) -> list[str]:
    """Registered viewsets that neither base class scopes and that are not organisation-wide."""
    return [
        viewset.__name__
        for _prefix, viewset, _basename in registered_router.registry
        if not issubclass(viewset, ProjectScopedMixin | OwnRowsMixin)
        and viewset not in ORGANISATION_WIDE
    ]


def model_of(viewset) -> type:
    return viewset.serializer_class.Meta.model


def test_every_registered_viewset_is_scoped_or_organisation_wide():
    assert unscoped(router) == []


def test_a_new_viewset_written_without_scoping_fails_the_check():
    class LeakyFindingViewSet(viewsets.ReadOnlyModelViewSet):
        queryset = Finding.objects.all()

    leaky = DefaultRouter()
    leaky.register("findings", LeakyFindingViewSet, basename="leaky")

    assert unscoped(leaky) == ["LeakyFindingViewSet"]


def test_a_scoped_viewset_cannot_override_its_queryset():
    with pytest.raises(TypeError, match="overrides get_queryset"):

        class BypassingViewSet(ProjectScopedMixin, viewsets.ReadOnlyModelViewSet):
            def get_queryset(self):
                return Finding.objects.all()


@pytest.mark.parametrize(
    "viewset",
    [viewset for _p, viewset, _b in router.registry if issubclass(viewset, ProjectScopedMixin)],
    ids=lambda viewset: viewset.__name__,
)
def test_each_project_scoped_viewset_reaches_its_project(viewset):
    model = model_of(viewset)
    for part in viewset.project_field.split("__"):
        if part == "id" and model._meta.label == "projects.Project":
            break
        try:
            model = model._meta.get_field(part).related_model
        except FieldDoesNotExist:  # pragma: no cover - the assertion below says which
            model = None
            break
    assert model is not None and model._meta.label == "projects.Project", viewset.__name__
