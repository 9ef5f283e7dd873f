"""Strict list filters: a filter value that cannot be right answers 400, never an empty
or unfiltered list that looks like an answer."""

import django_filters
from django import forms
from django.db import models
from django_filters import rest_framework as drf_filters


class IntegerFilter(django_filters.NumberFilter):
    """An id or count: whole numbers only (the default NumberFilter accepts 0.5)."""

    field_class = forms.IntegerField


INTEGER_FIELDS = (
    models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField, models.SmallIntegerField,
    models.PositiveSmallIntegerField,
)  # fmt: skip


class QualitiFilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        **{field: {"filter_class": IntegerFilter} for field in INTEGER_FIELDS},
    }

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
