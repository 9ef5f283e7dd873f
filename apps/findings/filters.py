"""The triage list's filters, shared by the page and its CSV export."""

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from apps.accounts.models import Team
from apps.criteria.models import SEVERITY_RANK, Category, Severity
from apps.findings.models import CLOSED_FINDING_STATUSES, Finding, FindingStatus
from apps.findings.selectors import overdue_condition, team_list_visible
from apps.projects.models import Project
from apps.projects.selectors import project_list_visible
from qualiti.http import AuthenticatedHttpRequest

ANY_STATUS = "any"
SORT_CHOICES = [
    ("due", "Due date"),
    ("severity", "Severity"),
    ("created", "Newest first"),
]


# django-filter passes the request the filter set was given: a page behind login_required.
def _visible_projects(request: AuthenticatedHttpRequest | None) -> QuerySet:
    return project_list_visible(user=request.user) if request else Project.objects.none()


def _visible_teams(request: AuthenticatedHttpRequest | None) -> QuerySet:
    return team_list_visible(user=request.user) if request else Team.objects.none()


def severity_rank() -> Case:
    """critical 0 … low 3, for sorting by how bad a finding is."""
    return Case(
        *(When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


class FindingListFilter(django_filters.FilterSet):
    """Open findings by default; `status=any` shows closed ones too."""

    q = django_filters.CharFilter(
        field_name="title",
        lookup_expr="icontains",
        label="Title contains",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    project = django_filters.ModelChoiceFilter(
        queryset=_visible_projects, to_field_name="slug", label="Project", empty_label="All"
    )
    status = django_filters.ChoiceFilter(
        choices=[(ANY_STATUS, "Any status"), *FindingStatus.choices],
        method="by_status",
        label="Status",
        empty_label="Open (not closed)",
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices, label="Severity", empty_label="All"
    )
    category = django_filters.ChoiceFilter(
        choices=Category.choices, label="Category", empty_label="All"
    )
    team = django_filters.ModelChoiceFilter(
        field_name="assigned_team", queryset=_visible_teams, label="Team", empty_label="All"
    )
    assignee = django_filters.CharFilter(
        field_name="assignee__username", label="Assigned to (username)"
    )
    overdue = django_filters.ChoiceFilter(
        choices=[("yes", "Overdue only")], method="by_overdue", label="Due", empty_label="Any"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="by_nothing", label="Sort by", empty_label=None
    )

    class Meta:
        model = Finding
        fields: list[str] = []

    def by_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if value == ANY_STATUS else queryset.filter(status=value)

    def by_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(overdue_condition()) if value == "yes" else queryset

    def by_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # sorting happens once every filter has run

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(~Q(status__in=CLOSED_FINDING_STATUSES))
        sort = self.form.cleaned_data.get("sort") or "due"
        if sort == "severity":
            return queryset.order_by(severity_rank(), F("due_date").asc(nulls_last=True), "id")
        if sort == "created":
            return queryset.order_by("-created_at", "-id")
        return queryset.order_by(F("due_date").asc(nulls_last=True), severity_rank(), "id")
