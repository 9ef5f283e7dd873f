"""Forms of the criteria pages: the catalogue filter, the criterion editor, and the answer
to a process criterion with the quality manager's decision on it."""

import json
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from apps.accounts.models import User
from apps.criteria.catalogue import CHECK_KEYS
from apps.criteria.models import (
    AnswererRole,
    Category,
    Comparator,
    CriterionKind,
    EvidenceKind,
    Severity,
)
from apps.evaluations import engine

MEASURED_FORM_FIELDS = ("check_key", "metric", "comparator", "threshold", "params")
PROCESS_FORM_FIELDS = (
    "question",
    "answered_by_role",
    "answerer",
    "evidence_expected",
    "validity_days",
)
# What the fields of the other kind are set to, so a criterion holds its own kind's only.
MEASURED_BLANKS: dict[str, Any] = {
    "check_key": "",
    "metric": "",
    "comparator": "",
    "threshold": None,
    "params": {},
}
PROCESS_BLANKS: dict[str, Any] = {
    "question": "",
    "answered_by_role": "",
    "answerer": None,
    "evidence_expected": "",
    "validity_days": None,
}


def _check_choices() -> list[tuple[str, str]]:
    """The catalogue's checks by name, the key beside it for whoever writes the metric.
    Called when a form is made: naming the checks loads the engine's check families."""
    named = sorted((engine.check_name(key), key) for key in CHECK_KEYS)
    return [("", "Choose a check"), *((key, f"{name} ({key})") for name, key in named)]


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
    """Every value a quality manager sets on a criterion; the service stores them. The
    fields of a measured criterion and those of a process one are all shown, in their own
    groups; only the kind chosen needs its group filled."""

    code = forms.CharField(
        label="Code", max_length=32, help_text="Unique in the project, e.g. FAIR-02."
    )
    name = forms.CharField(label="Name", max_length=200)
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    kind = forms.ChoiceField(
        label="Kind",
        choices=CriterionKind.choices,
        initial=CriterionKind.MEASURED,
        required=False,  # measured when not said
        widget=forms.RadioSelect,
        help_text="Measured: a check judges it in runs. Answered by a person: someone answers "
        "its question with evidence, and the quality manager accepts the answer.",
    )
    check_key = forms.ChoiceField(label="Check", required=False, choices=_check_choices)
    metric = forms.CharField(
        label="Metric",
        max_length=100,
        required=False,
        help_text="One of the metrics the check reports.",
    )
    comparator = forms.ChoiceField(
        label="Comparator",
        required=False,
        choices=[
            ("", "Choose a comparator"),
            *((value, f"{value} ({label})") for value, label in Comparator.choices),
        ],
    )
    threshold = forms.FloatField(label="Threshold", required=False)
    question = forms.CharField(
        label="Question",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the person answers, e.g. “Is the intended use documented and approved?”",
    )
    answered_by_role = forms.ChoiceField(
        label="Answered by",
        required=False,
        choices=[("", "Choose a role"), *AnswererRole.choices],
        help_text="Any project member with this role may answer, unless a person is named.",
    )
    answerer = forms.ModelChoiceField(
        label="Named answerer",
        required=False,
        queryset=User.objects.none(),
        empty_label="Anyone with the role",
        help_text="Only this person may answer.",
    )
    evidence_expected = forms.ChoiceField(
        label="Evidence expected",
        required=False,
        choices=[("", "Choose the evidence"), *EvidenceKind.choices],
    )
    validity_days = forms.IntegerField(
        label="Validity (days)",
        required=False,
        min_value=1,
        help_text="How long an accepted answer holds; after it, the criterion fails again.",
    )
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    blocking = forms.BooleanField(
        label="Blocking",
        required=False,
        help_text="A failure makes the run's verdict fail (measured criteria only).",
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

    def __init__(self, *args: Any, members: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answerer = cast(forms.ModelChoiceField, self.fields["answerer"])
        answerer.queryset = members if members is not None else User.objects.none()

    @classmethod
    def initial_from(cls, criterion: Any) -> dict[str, Any]:
        initial = {name: getattr(criterion, name) for name in cls.base_fields}
        initial["params"] = json.dumps(criterion.params) if criterion.params else ""
        return initial

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the editor's groups: the shared ones around each kind's own."""
        names = list(self.fields)
        shared = [n for n in names if n not in MEASURED_FORM_FIELDS + PROCESS_FORM_FIELDS]
        head, tail = shared[: shared.index("kind") + 1], shared[shared.index("kind") + 1 :]
        return [
            ("", [self[name] for name in head]),
            ("Measured by a check", [self[name] for name in MEASURED_FORM_FIELDS]),
            ("Answered by a person", [self[name] for name in PROCESS_FORM_FIELDS]),
            ("", [self[name] for name in tail]),
        ]

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
        cleaned["kind"] = cleaned.get("kind") or CriterionKind.MEASURED
        process = cleaned["kind"] == CriterionKind.PROCESS
        needed = PROCESS_FORM_FIELDS if process else MEASURED_FORM_FIELDS
        for name in needed:
            if name in ("answerer", "params"):
                continue  # optional in either kind
            if name in cleaned and cleaned[name] in (None, ""):
                self.add_error(name, "A criterion of this kind needs this field.")
        cleaned.update(MEASURED_BLANKS if process else PROCESS_BLANKS)
        if process:
            return cleaned
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


class AttestationForm(forms.Form):
    """An answer to a process criterion, with its evidence."""

    answer = forms.CharField(
        label="Your answer", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000
    )
    evidence_file = forms.FileField(
        label="Evidence file",
        required=False,
        help_text="A document (PDF, spreadsheet, image…); it downloads as an attachment.",
    )
    evidence_url = forms.URLField(
        label="Link to the evidence",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="e.g. the approved page in your wiki or document store.",
    )


class AttestationAcceptForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttestationRefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why it is sent back",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The finding opens with this reason; the answerer reads it.",
    )
