"""What the findings API reads and writes: findings, corrective actions, comments and risk
acceptances, each field with the words the OpenAPI schema shows for it."""

from rest_framework import serializers

from apps.accounts.models import Team, User
from apps.criteria.models import Category, Severity
from apps.findings.models import (
    ActionStatus,
    Comment,
    CorrectiveAction,
    Finding,
    FindingStatus,
    RiskAcceptance,
)
from apps.projects.models import Project
from qualiti.api import VisibleProjectField, VisibleRelatedField
from qualiti.api_schema import help_texts

FINDING_VERSION = (
    "The finding's version as you last read it: a change made by someone else since answers 409."
)
ACTION_VERSION = (
    "The action's version as you last read it: a change made by someone else since answers 409."
)
FINDING_ID = "Id of the finding."


class FindingSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The project's slug."
    )
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Whether it is still open past its due date."
    )
    overdue_days = serializers.IntegerField(
        read_only=True, help_text="Days past the due date while still open; 0 otherwise."
    )

    class Meta:
        model = Finding
        fields = [
            "id", "project", "title", "description", "severity", "category", "status",
            "source", "fingerprint", "criterion", "check_key", "subject", "first_seen_run",
            "last_seen_run", "assigned_team", "assignee", "due_date", "is_overdue",
            "overdue_days", "remediation", "risk_expires_on", "version", "created_at",
            "updated_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = help_texts(
            id="The finding's id.",
            title="The problem in one line.",
            description="The problem in detail (Markdown).",
            severity="How severe it is; its due date follows from the project's SLA days "
            "for this severity.",
            category="The kind of quality problem (performance, fairness, drift…).",
            status="Where it is in its life: open, in_progress, fix_submitted, then "
            "verified, risk_accepted or false_positive (closed).",
            source="check (opened by a failing check) or manual (opened by hand).",
            criterion="Id of the criterion whose check failed; null for a manual finding.",
            check_key="The engine check that failed; empty for a manual finding.",
            subject="What failed (a column, a group, a slice); empty for the whole data.",
            first_seen_run="Id of the run that first found it.",
            last_seen_run="Id of the latest run that found it.",
            assigned_team="Id of the team it is assigned to.",
            assignee="Id of the user it is assigned to.",
            due_date="When it must be fixed, from the project's SLA days for its severity.",
            risk_expires_on="While its risk is accepted: the day the acceptance ends and it "
            "reopens.",
            version="Goes up by one at each change; send it back with a change (409 when stale).",
            created_at="When it was opened.",
            updated_at="When it last changed.",
            closed_at="When it was closed; null while open.",
        )


class FindingCreateSerializer(serializers.Serializer):
    project = VisibleProjectField(help_text="The project's slug.")
    title = serializers.CharField(max_length=300, help_text="The problem in one line.")
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The problem in detail (Markdown).",
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices, help_text="How severe it is; sets its due date."
    )
    category = serializers.ChoiceField(
        choices=Category.choices, help_text="The kind of quality problem."
    )
    remediation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Guidance for the developer who fixes it.",
    )


class FindingUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=FINDING_VERSION)
    title = serializers.CharField(
        max_length=300, required=False, help_text="The problem in one line."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="The problem in detail (Markdown)."
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        help_text="A new severity; the due date follows.",
    )
    assigned_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the team to assign it to; null for none.",
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the user to assign it to (a member of the project); null for none.",
    )


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=FindingStatus.choices, help_text="The new status.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, for the finding's history.",
    )
    version = serializers.IntegerField(min_value=1, help_text=FINDING_VERSION)


class CorrectiveActionSerializer(serializers.ModelSerializer):
    finding = VisibleRelatedField(model=Finding, help_text=FINDING_ID)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "finding", "description", "owner", "due_date", "status", "version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "version", "created_at", "updated_at"]
        extra_kwargs = help_texts(
            id="The action's id.",
            description="What is to be done.",
            owner="Id of the user who does it; null for nobody yet.",
            due_date="When it must be done (by default the finding's due date).",
            status="proposed, accepted, in_progress, done or rejected.",
            version="Goes up by one at each change; send it back with a change (409 when stale).",
            created_at="When it was created.",
            updated_at="When it last changed.",
        )


class ActionProposeSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000, help_text="What you propose to do.")
    due_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="By when; null for no date."
    )


class ActionTakeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=ACTION_VERSION)


class CorrectiveActionUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=ACTION_VERSION)
    status = serializers.ChoiceField(
        choices=ActionStatus.choices,
        required=False,
        help_text="The new status; only the quality manager rejects.",
    )
    description = serializers.CharField(
        required=False, help_text="What is to be done (the quality manager only)."
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the user who does it (the quality manager only).",
    )
    due_date = serializers.DateField(
        allow_null=True, required=False, help_text="By when (the quality manager only)."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the status changes, for the history.",
    )


class CommentSerializer(serializers.ModelSerializer):
    finding = VisibleRelatedField(model=Finding, help_text=FINDING_ID)
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of who wrote it."
    )

    class Meta:
        model = Comment
        fields = ["id", "finding", "author", "body", "created_at"]
        read_only_fields = ["author", "created_at"]
        extra_kwargs = help_texts(id="The comment's id.", created_at="When it was written.")


class RiskAcceptanceSerializer(serializers.ModelSerializer):
    finding = VisibleRelatedField(model=Finding, help_text=FINDING_ID)

    class Meta:
        model = RiskAcceptance
        fields = [
            "id", "finding", "justification", "expires_on", "state", "requested_by",
            "decided_by", "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["state", "requested_by", "decided_by", "decided_at", "created_at"]
        extra_kwargs = help_texts(
            id="The risk acceptance's id.",
            justification="Why the risk may be accepted.",
            expires_on="The day the acceptance ends and the finding reopens.",
            state="pending (awaiting a decision), approved, rejected or expired.",
            requested_by="Id of the quality manager who asked.",
            decided_by="Id of who approved or rejected it; null while pending.",
            decided_at="When it was decided; null while pending.",
            created_at="When it was requested.",
        )


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, for the finding's history.",
    )
