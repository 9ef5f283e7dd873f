"""Strict list filters: a filter value that cannot be right answers 400, never an empty
or unfiltered list that looks like an answer."""

import django_filters
from django import forms
from django.db import models
from django_filters import rest_framework as drf_filters

from apps.accounts.permissions import scope_to_visible_projects

ModelMultipleChoice = django_filters.ModelMultipleChoiceFilter


class IntegerFilter(django_filters.NumberFilter):
    """An id or count: whole numbers only (the default NumberFilter accepts 0.5)."""

    field_class = forms.IntegerField


INTEGER_FIELDS = (
    models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField, models.SmallIntegerField,
    models.PositiveSmallIntegerField,
)  # fmt: skip


def project_path(model: type[models.Model]) -> str | None:
    """The lookup from a model to its project ("id" for a project itself), or None for
    organisation-wide data (users, teams, templates)."""
    if model._meta.label == "projects.Project":
        return "id"
    names = {field.name: field for field in model._meta.get_fields() if field.is_relation}
    if "project" in names:
        return "project"
    for name, field in names.items():
        related = field.related_model  # None for a generic foreign key, else a model class
        if field.many_to_one and isinstance(related, type):
            parent = project_path(related) if name != "project" else None
            if parent == "project":
                return f"{name}__project"
    return None


class QualitiFilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        **{field: {"filter_class": IntegerFilter} for field in INTEGER_FIELDS},
    }

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        self._scope_choices_to_visible_projects(request)

    def _scope_choices_to_visible_projects(self, request) -> None:
        """A filter by another object (`?test_plan=<id>`) chooses among the objects of the
        projects the caller may see: an id of a project they may not see answers 400 with
        the same words as an id that does not exist, never an empty list that tells it
        apart."""
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            if not isinstance(filter_, django_filters.ModelChoiceFilter | ModelMultipleChoice):
                continue
            queryset = filter_.queryset
            model = getattr(queryset, "model", None)
            if model is None:
                continue
            path = project_path(model)
            if path is None:
                continue
            if user is None or not user.is_authenticated:
                filter_.queryset = model.objects.none()
            else:
                filter_.queryset = scope_to_visible_projects(
                    model.objects.all(), user=user, project_field=path
                )
            filter_.__dict__.pop("_field", None)  # a field built before would keep the old

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and any(value == "" for value in self.data.getlist(name)):
                self.form.add_error(
                    name if name in self.form.fields else None,
                    "Give a value or leave this filter out.",
                )
                valid = False
        return valid


class QualitiFilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = QualitiFilterSet
