"""Forms of the criteria pages: the catalogue filter and the criterion editor."""

import json
from typing import Any

from django import forms

from apps.criteria.catalogue import CHECK_KEYS
from apps.criteria.models import Category, Comparator, Severity
from apps.evaluations import engine


def _check_choices() -> list[tuple[str, str]]:
    """The catalogue's checks by name, the key beside it for whoever writes the metric.
    Called when a form is made: naming the checks loads the engine's check families."""
    named = sorted((engine.check_name(key), key) for key in CHECK_KEYS)
    return [(key, f"{name} ({key})") for name, key in named]


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search templates",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All categories"), *Category.choices]
    )


class CriterionForm(forms.Form):
    """Every value a quality manager sets on a criterion; the service stores them."""

    code = forms.CharField(
        label="Code", max_length=32, help_text="Unique in the project, e.g. FAIR-02."
    )
    name = forms.CharField(label="Name", max_length=200)
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    check_key = forms.ChoiceField(label="Check", choices=_check_choices)
    metric = forms.CharField(
        label="Metric", max_length=100, help_text="One of the metrics the check reports."
    )
    comparator = forms.ChoiceField(
        label="Comparator",
        choices=[(value, f"{value} ({label})") for value, label in Comparator.choices],
    )
    threshold = forms.FloatField(label="Threshold")
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    blocking = forms.BooleanField(
        label="Blocking", required=False, help_text="A failure makes the run's verdict fail."
    )
    params = forms.CharField(
        label="Default check parameters (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='A JSON object, e.g. {"min_group_size": 30}; empty for none.',
    )
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 4}))
    guidance = forms.CharField(
        label="Guidance for developers", widget=forms.Textarea(attrs={"rows": 5})
    )

    @classmethod
    def initial_from(cls, criterion: Any) -> dict[str, Any]:
        initial = {name: getattr(criterion, name) for name in cls.base_fields}
        initial["params"] = json.dumps(criterion.params) if criterion.params else ""
        return initial

    def clean_params(self) -> dict:
        text = self.cleaned_data["params"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"This is not valid JSON: {error.msg}.") from error
        if not isinstance(value, dict):
            raise forms.ValidationError("Give a JSON object of parameter names and values.")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        check_key, metric = cleaned.get("check_key"), cleaned.get("metric")
        check = engine.registered_checks().get(check_key) if check_key else None
        if check is not None and metric and metric not in check.metrics:
            self.add_error(
                "metric",
                f"The check {check_key} does not report {metric!r}; "
                f"use one of {', '.join(sorted(check.metrics))}.",
            )
        return cleaned


class PackImportForm(forms.Form):
    """The catalogue's import of a criterion pack; the service reads and checks the file."""

    file = forms.FileField(label="Pack file (YAML)")
