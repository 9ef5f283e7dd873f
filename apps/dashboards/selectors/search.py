"""The top bar's search: projects, model versions, runs and findings by name, code or id,
among what the user may see.

Each group takes two queries whatever the number of matches (one when nothing matches):
the ids of the first few and the count of every match, in a window over the scoped rows
(so "and N more" only ever counts what the user may see), then those rows with what the
results page shows (select_related). Matching is a case-insensitive substring (icontains:
LIKE on SQLite, UPPER(...) LIKE on PostgreSQL), the query taken whole; a number ("12",
"#12") also finds the run and the finding of that id, and "v3" the third version of a
model.
"""

import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db.models import Case, Count, IntegerField, Model, Q, QuerySet, Value, When, Window

from apps.accounts.models import User
from apps.accounts.permissions import scope_to_visible_projects
from apps.evaluations.models import EvaluationRun
from apps.findings.models import Finding
from apps.projects.models import ModelVersion
from apps.projects.selectors import project_list_visible
from qualiti.errors import InvalidInput

QUERY_MAX_LENGTH = 200
PER_GROUP = 10
# The largest id a database integer column holds: a bigger number can match no id, and
# PostgreSQL refuses to compare an integer column with it.
LARGEST_ID = 2**31 - 1

_ID = re.compile(r"#?\s*(\d+)")
_VERSION = re.compile(r"v\s*(\d+)", re.IGNORECASE)

RowT = TypeVar("RowT", bound=Model)


@dataclass(frozen=True)
class SearchGroup(Generic[RowT]):
    """One kind of object found: the first rows and how many match in all."""

    kind: str  # projects, model_versions, runs, findings
    label: str  # what the page calls them
    rows: list[RowT]
    total: int

    @property
    def more(self) -> int:
        """Matches beyond the rows shown."""
        return self.total - len(self.rows)


@dataclass(frozen=True)
class SearchResults:
    query: str
    groups: list[SearchGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def search_query_clean(raw: str | None) -> str:
    """The query as searched: trimmed, inner runs of spaces made one. Too long or holding
    a NUL character (which PostgreSQL refuses in text) is refused with a message."""
    query = " ".join((raw or "").split())
    if len(query) > QUERY_MAX_LENGTH:
        raise InvalidInput(
            f"The search is too long: at most {QUERY_MAX_LENGTH} characters, "
            f"this one has {len(query)}.",
            field="q",
        )
    if "\x00" in query:
        raise InvalidInput("The search holds a character that cannot be searched for.", field="q")
    return query


def search(*, user: User, query: str, per_group: int = PER_GROUP) -> SearchResults:
    """Everything the user may see that matches the query, grouped by kind; nothing for an
    empty query. The query is cleaned first (InvalidInput when it cannot be searched)."""
    query = search_query_clean(query)
    if not query:
        return SearchResults(query=query)
    number = _matched_number(_ID, query)
    groups = [
        _group("projects", "Projects", _projects(user, query), per_group),
        _group("model_versions", "Model versions", _model_versions(user, query), per_group),
        _group("runs", "Runs", _runs(user, query, number), per_group),
        _group("findings", "Findings", _findings(user, query, number), per_group),
    ]
    return SearchResults(query=query, groups=groups)


def _matched_number(pattern: re.Pattern[str], query: str) -> int | None:
    match = pattern.fullmatch(query)
    if match is None:
        return None
    number = int(match.group(1))
    return number if 0 < number <= LARGEST_ID else None


def _group(kind: str, label: str, queryset: QuerySet, per_group: int) -> SearchGroup:
    # Counting over narrow rows, then loading the few shown: counting over the rows with
    # their joined project and criterion carried every match's columns through the window
    # and led PostgreSQL to a nested loop ("FAIR-01" over seed_large's 10,000 findings, as
    # management: 42 ms in one query, 16 + 3 ms in these two).
    counted = queryset.annotate(search_total=Window(Count("pk")))
    first = list(counted.values_list("pk", "search_total")[:per_group])
    if not first:
        return SearchGroup(kind=kind, label=label, rows=[], total=0)
    rows = list(queryset.filter(pk__in=[pk for pk, _ in first]))
    return SearchGroup(kind=kind, label=label, rows=rows, total=first[0][1])


def _newest_first(number: int | None) -> list[Case | str]:
    """Newest first, after the row whose id is the number asked for, if any."""
    newest: list[Case | str] = ["-created_at", "-pk"]
    if number is None:
        return newest
    exact = Case(When(pk=number, then=Value(0)), default=Value(1), output_field=IntegerField())
    return [exact, *newest]


def _projects(user: User, query: str) -> QuerySet:
    return (
        project_list_visible(user=user)
        .filter(Q(name__icontains=query) | Q(slug__icontains=query))
        .order_by("name", "pk")
    )


def _model_versions(user: User, query: str) -> QuerySet:
    matches = (
        Q(label__icontains=query)
        | Q(project__name__icontains=query)
        | Q(project__slug__icontains=query)
    )
    sequence = _matched_number(_VERSION, query)
    if sequence is not None:
        matches |= Q(sequence=sequence)
    versions = ModelVersion.objects.select_related("project").filter(matches)
    return scope_to_visible_projects(versions, user=user).order_by(
        "project__name", "-sequence", "pk"
    )


def _runs(user: User, query: str, number: int | None) -> QuerySet:
    matches = Q(test_plan__name__icontains=query) | Q(model_version__label__icontains=query)
    if number is not None:
        matches |= Q(pk=number)
    runs = EvaluationRun.objects.select_related("project", "test_plan", "model_version").filter(
        matches
    )
    return scope_to_visible_projects(runs, user=user).order_by(*_newest_first(number))


def _findings(user: User, query: str, number: int | None) -> QuerySet:
    matches = (
        Q(title__icontains=query)
        | Q(criterion__code__icontains=query)
        | Q(check_key__icontains=query)
        | Q(subject__icontains=query)
    )
    if number is not None:
        matches |= Q(pk=number)
    findings = Finding.objects.select_related("project", "criterion").filter(matches)
    return scope_to_visible_projects(findings, user=user).order_by(*_newest_first(number))
