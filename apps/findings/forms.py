"""Forms of the findings pages. Each change form carries the version the user read, so the
service can refuse a change made on stale information (409)."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.accounts.models import Team, User
from apps.criteria.models import Severity
from apps.findings.models import ActionStatus, FindingStatus
from apps.projects.models import Project

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
        help_text="Needed to submit a fix (what changed, in which model version), reopen, "
        "verify by hand or mark a false positive.",
    )
    version = _version_field()
    next = _next_field()

    def __init__(self, *args: Any, targets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = cast(forms.ChoiceField, self.fields["to"])
        to.choices = [(value, FindingStatus(value).label) for value in targets]


def assignable_help(*, project: Project, members_url: str | None) -> SafeString:
    """Why someone is missing from an assignee or owner list, and (for who may manage the
    members) where to add them."""
    team = project.development_team
    if team is not None:
        text = format_html(
            "Only the project's members and its development team ({}) can be given work.",
            team.name,
        )
    else:
        text = format_html(
            "Only the project's members can be given work: the project has no development team."
        )
    if members_url:
        text = format_html('{} Add people on <a href="{}">the members page</a>.', text, members_url)
    return text


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

    def __init__(
        self, *args: Any, members: QuerySet[User], help_text: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        assignee = cast(forms.ModelChoiceField, self.fields["assignee"])
        assignee.queryset = members
        assignee.help_text = help_text


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

    def __init__(
        self, *args: Any, members: QuerySet[User], help_text: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = members
        owner.help_text = help_text


class ActionProposeForm(PrefixedIdForm):
    """A developer's proposal of a corrective action; the quality manager accepts it."""

    id_prefix = "propose"
    description = forms.CharField(
        label="Proposed action",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you would do to fix the finding. The quality manager accepts or "
        "rejects it.",
    )
    due_date = forms.DateField(
        label="Done by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the finding's due date.",
    )


class ActionTakeForm(forms.Form):
    """ "I'll do it" on one action: the version of the action the user read."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = _next_field()


class FixSubmitForm(PrefixedIdForm):
    id_prefix = "fix"
    note = forms.CharField(
        label="What changed",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A short note for the quality manager: what you changed, and which model "
        "version carries the fix (e.g. “Retrained on audited labels: model version 2”).",
    )
    version = _version_field()
    next = _next_field()


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
