"""Forms of the findings pages. Each change form carries the version the user read, so the
service can refuse a change made on stale information (409)."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from apps.accounts.models import Team, User
from apps.criteria.models import Severity
from apps.findings.models import ActionStatus, FindingStatus

VERSION_HELP = "The version of the finding you read."

# What a bulk change may move findings to (risk is accepted through its own request).
BULK_TARGETS = [
    (value, label) for value, label in FindingStatus.choices if value != FindingStatus.RISK_ACCEPTED
]


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def _next_field() -> forms.CharField:
    return forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class PrefixedIdForm(forms.Form):
    """Several forms share the finding page: each gets its own element ids."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class CommentForm(PrefixedIdForm):
    id_prefix = "comment"
    body = forms.CharField(
        label="Comment",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: **bold**, *italic*, `code`, lists and links.",
    )


class TransitionForm(PrefixedIdForm):
    id_prefix = "status"
    to = forms.ChoiceField(label="New status")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to reopen, verify by hand or mark a false positive.",
    )
    version = _version_field()
    next = _next_field()

    def __init__(self, *args: Any, targets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = cast(forms.ChoiceField, self.fields["to"])
        to.choices = [(value, FindingStatus(value).label) for value in targets]


class AssignForm(PrefixedIdForm):
    id_prefix = "triage"
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    assigned_team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.all(), required=False, empty_label="No team"
    )
    assignee = forms.ModelChoiceField(
        label="Assignee", queryset=User.objects.none(), required=False, empty_label="Nobody"
    )
    version = _version_field()

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = members


class ActionCreateForm(PrefixedIdForm):
    id_prefix = "action"
    description = forms.CharField(
        label="Corrective action", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="Nobody yet"
    )
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the finding's due date.",
    )

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members


class RiskRequestForm(PrefixedIdForm):
    id_prefix = "risk"
    justification = forms.CharField(
        label="Justification",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the risk may be carried for now, and what limits it.",
    )
    expires_on = forms.DateField(
        label="Accepted until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The finding reopens after this date.",
    )


class RiskDecisionForm(PrefixedIdForm):
    id_prefix = "decision"
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve"), ("reject", "Reject")]
    )
    reason = forms.CharField(
        label="Reason for the decision",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label="Action status", choices=ActionStatus.choices)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = _next_field()


class IdListField(forms.Field):
    """The ids of the ticked rows (several inputs of the same name)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return sorted({int(item) for item in values})
        except (TypeError, ValueError) as error:
            raise forms.ValidationError("Unknown finding selected.") from error


class BulkForm(PrefixedIdForm):
    id_prefix = "bulk"
    findings = IdListField(
        label="Findings", error_messages={"required": "Select at least one finding."}
    )
    operation = forms.ChoiceField(choices=[("assign", "Assign"), ("status", "Change status")])
    assigned_team = forms.ModelChoiceField(
        label="Assign to team", queryset=Team.objects.none(), required=False, empty_label="—"
    )
    assignee = forms.ModelChoiceField(
        label="Assign to person", queryset=User.objects.none(), required=False, empty_label="—"
    )
    to = forms.ChoiceField(
        label="Change status to", choices=[("", "—"), *BULK_TARGETS], required=False
    )
    reason = forms.CharField(label="Reason for the status change", required=False, max_length=5000)
    next = _next_field()

    def __init__(
        self, *args: Any, teams: QuerySet[Team], members: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assigned_team"]).queryset = teams
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = members

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        operation = cleaned.get("operation")
        if operation == "assign" and not (cleaned.get("assigned_team") or cleaned.get("assignee")):
            raise forms.ValidationError("Choose a team or a person to assign to.")
        if operation == "status" and not cleaned.get("to"):
            self.add_error("to", "Choose the status to move the findings to.")
        return cleaned
