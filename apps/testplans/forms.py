"""Forms of the test plan editor. The parameter form of a check is generated from the JSON
schema the check declares in the engine's registry, so a new check needs no form code."""

import json
from typing import Any, cast

from django import forms
from django.utils.text import Truncator

from apps.criteria.models import Category, Criterion, CriterionKind
from apps.evaluations import engine
from apps.projects.models import DatasetRole
from apps.testplans.models import TestPlan

PARAMS_PREFIX = "params"


class TestPlanCreateForm(forms.Form):
    name = forms.CharField(label="Plan name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CheckChoiceForm(forms.Form):
    """Which engine check to add; a GET form so choosing works without JavaScript."""

    check = forms.ChoiceField(label="Check", choices=())

    def __init__(self, *args: Any, catalogue: list[dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for check in sorted(catalogue, key=lambda check: check["name"]):
            if check["implemented"]:
                what = Truncator(check["docs"]["what"]).chars(80)
                groups.setdefault(check["category"], []).append(
                    (check["key"], f"{check['name']} — {what}")
                )
        cast(forms.ChoiceField, self.fields["check"]).choices = [("", "Choose a check…")] + [
            (str(label), groups[value]) for value, label in Category.choices if value in groups
        ]


class CriterionChoiceField(forms.ModelChoiceField):
    """A criterion named with the check and metric it is written for."""

    def label_from_instance(self, obj: Criterion) -> str:
        return (
            f"{obj.code} {obj.name} "
            f"({engine.check_name(obj.check_key)} · {engine.metric_name(obj.metric)})"
        )


class PlanCheckForm(forms.Form):
    """The plan-level fields of a check: its criterion and the datasets it reads."""

    criterion = CriterionChoiceField(label="Criterion", queryset=Criterion.objects.none())
    dataset_roles = forms.MultipleChoiceField(
        label="Dataset roles",
        choices=DatasetRole.choices,
        initial=[DatasetRole.EVALUATION],
        widget=forms.CheckboxSelectMultiple,
        help_text="The datasets the check reads.",
    )

    def __init__(self, *args: Any, plan: TestPlan, check_key: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A process criterion is answered by a person, never checked in a run.
        criteria = Criterion.objects.filter(
            project_id=plan.project_id, kind=CriterionKind.MEASURED
        ).order_by("code")
        cast(CriterionChoiceField, self.fields["criterion"]).queryset = criteria
        if check_key and "criterion" not in self.initial:
            # Preselect the first criterion written for this check.
            self.initial["criterion"] = next(
                (c.pk for c in criteria if c.check_key == check_key), None
            )


def _help_text(spec: dict) -> str:
    parts = [spec["description"]] if spec.get("description") else []
    if "default" in spec:
        parts.append(f"Default: {json.dumps(spec['default'])}.")
    bounds = [
        f"at least {spec['minimum']:g}" if "minimum" in spec else "",
        f"at most {spec['maximum']:g}" if "maximum" in spec else "",
    ]
    if any(bounds):
        parts.append(" and ".join(b for b in bounds if b).capitalize() + ".")
    return " ".join(parts)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


class ColumnsField(forms.CharField):
    """A named group of columns (one of `named`) or a comma-separated list of columns."""

    def __init__(self, *, named: list[str], **kwargs: Any) -> None:
        self.named = named
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> str | list[str]:
        text = super().clean(value).strip()
        if text in self.named:
            return text
        columns = [part.strip() for part in text.split(",") if part.strip()]
        if not columns:
            raise forms.ValidationError(
                f"Name one of {', '.join(self.named)}, or a comma-separated list of columns."
            )
        return columns


class StringListField(forms.CharField):
    """An array of strings, typed as a comma-separated list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class JSONValueField(forms.CharField):
    """Any JSON value the simpler fields cannot express; a bare word is taken as a string."""

    def __init__(self, *, json_types: tuple[type, ...] | None = None, **kwargs: Any) -> None:
        self.json_types = json_types
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value)

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            if self.json_types and str in self.json_types:
                return text
            raise forms.ValidationError("Enter valid JSON.") from None
        if self.json_types and str in self.json_types and not isinstance(parsed, self.json_types):
            return text
        return parsed


def schema_form_field(name: str, spec: dict) -> forms.Field:
    """The form field of one parameter of a check's JSON schema."""
    common: dict[str, Any] = {
        "label": _label(name),
        "help_text": _help_text(spec),
        "initial": spec.get("default"),
    }
    kind = spec.get("type")
    bounds: dict[str, Any] = {"min_value": spec.get("minimum"), "max_value": spec.get("maximum")}
    if kind == "integer":
        return forms.IntegerField(**common, **bounds)
    if kind == "number":
        return forms.FloatField(**common, **bounds, widget=forms.NumberInput(attrs={"step": "any"}))
    if kind == "boolean":
        return forms.BooleanField(**common, required=False)
    if kind == "string" and "enum" in spec:
        return forms.ChoiceField(**common, choices=[(value, value) for value in spec["enum"]])
    if kind == "string":
        return forms.CharField(**common, required="default" not in spec)
    if kind == "array" and spec.get("items", {}).get("type") == "string":
        return StringListField(
            **{**common, "help_text": f"Comma-separated. {common['help_text']}".strip()},
            required=False,
        )
    if "anyOf" in spec:
        named: list[str] = next((o["enum"] for o in spec["anyOf"] if o.get("type") == "string"), [])
        if named and any(o.get("type") == "array" for o in spec["anyOf"]):
            hint = f"One of {', '.join(named)}, or a comma-separated list of columns."
            return ColumnsField(
                **{**common, "help_text": f"{hint} {common['help_text']}"}, named=named
            )
    if isinstance(kind, list) and set(kind) <= {"string", "number", "boolean"}:
        return JSONValueField(**common, json_types=(str, int, float, bool))
    return JSONValueField(
        **{**common, "help_text": f"JSON. {common['help_text']}"},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def check_params_form_class(check_key: str) -> type[forms.Form]:
    """A form class with one field per parameter of the check's schema."""
    check = engine.registered_checks()[check_key]
    properties = check.params_schema.get("properties", {})
    fields = {name: schema_form_field(name, spec) for name, spec in properties.items()}
    return type(f"ParamsForm_{check_key.replace('.', '_')}", (forms.Form,), fields)


def check_params_form(check_key: str, data: Any = None, initial: dict | None = None) -> forms.Form:
    """The bound (POST) or unbound parameter form of a check, its field names prefixed."""
    return check_params_form_class(check_key)(data, initial=initial, prefix=PARAMS_PREFIX)


def plan_item_error(*, check_key: str, criterion: Criterion, params: dict[str, Any]) -> str | None:
    """The engine's own objection to this check, criterion and parameters, or None.

    The engine validates parameters against the check's JSON schema and the criterion's
    metric against the metrics the check reports, as it will when the plan runs."""
    document = {
        "criterion": criterion.code,
        "check": check_key,
        "params": params,
        "metric": criterion.metric,
        "comparator": criterion.comparator,
        "threshold": criterion.threshold,
        "severity": criterion.severity,
        "blocking": criterion.blocking,
    }
    try:
        engine.plan_parse([document])
    except engine.PlanError as error:
        return error.message
    return None
