"""Reads of criteria and templates shared by the API and the pages.

Project scoping is applied by the caller (ProjectScopedMixin or scope_to_visible_projects);
these fix the joins, so a list costs the same number of queries however long it is.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.criteria.catalogue.changes import COMPARED_FIELDS, change_in_words, entry_changes
from apps.criteria.migrations._catalogue_loader import template_values
from apps.criteria.models import (
    Attestation,
    AttestationStatus,
    Category,
    Criterion,
    CriterionKind,
    CriterionPack,
    CriterionTemplate,
    ProcessStatus,
    TemplateRevision,
)
from apps.criteria.packs import SHIPPED_PACK_HEADER
from apps.evaluations import engine


def criterion_template_list() -> QuerySet[CriterionTemplate]:
    """The whole catalogue, ordered by code."""
    return CriterionTemplate.objects.order_by("code")


def criterion_list() -> QuerySet[Criterion]:
    """Every criterion with its project and template joined; scope it before use."""
    return Criterion.objects.select_related("project", "template").order_by("project_id", "code")


def criterion_list_for_project(*, project_id: int) -> QuerySet[Criterion]:
    """One project's criteria for its page, with the template each came from."""
    return (
        Criterion.objects.filter(project_id=project_id)
        .select_related("template", "answerer")
        .order_by("code", "id")
    )


def criterion_template_catalogue(
    *, search: str = "", category: str = ""
) -> list[tuple[str, list[CriterionTemplate]]]:
    """The catalogue grouped by category (in the categories' declared order), filtered by a
    text search over code, name, metric and check (by key or by name), question, rationale
    and guidance."""
    templates = criterion_template_list()
    if category:
        templates = templates.filter(category=category)
    if search:
        words = search.lower()
        checks = [
            key for key, check in engine.registered_checks().items() if words in check.name.lower()
        ]
        metrics = [key for key, name in engine.METRIC_NAMES.items() if words in name.lower()]
        templates = templates.filter(
            Q(code__icontains=search)
            | Q(name__icontains=search)
            | Q(metric__icontains=search)
            | Q(metric__in=metrics)
            | Q(check_key__icontains=search)
            | Q(check_key__in=checks)
            | Q(question__icontains=search)
            | Q(rationale__icontains=search)
            | Q(guidance__icontains=search)
        )
    by_category: dict[str, list[CriterionTemplate]] = {}
    for template in templates:
        by_category.setdefault(template.category, []).append(template)
    return [
        (label, by_category[value]) for value, label in Category.choices if value in by_category
    ]


def criterion_template_ids_used(*, project_id: int) -> set[int]:
    """Ids of the templates the project already has a criterion from."""
    return set(
        Criterion.objects.filter(project_id=project_id, template__isnull=False).values_list(
            "template_id", flat=True
        )
    )


def criteria_behind_catalogue(*, project_id: int) -> list[tuple[Criterion, list[str]]]:
    """The project's criteria whose template has a newer version than the one they took,
    each with what changed since, in words."""
    behind = (
        Criterion.objects.filter(project_id=project_id, template__isnull=False)
        .filter(
            Q(template_version__isnull=True, template__version__gt=1)
            | Q(template_version__lt=F("template__version"))
        )
        .select_related("template")
        .order_by("code")
    )
    return [
        (criterion, [change_in_words(change) for change in changes])
        for criterion in behind
        if (changes := catalogue_changes_for(criterion))
    ]


def catalogue_revisions(*, limit: int = 200) -> list:
    """The catalogue's latest changes, newest first: each template version after the first,
    with what changed in words (the "What's new" page)."""
    revisions = (
        TemplateRevision.objects.select_related("template")
        .exclude(changes=[])
        .order_by("-created_at", "template__code")[:limit]
    )
    return [(revision, [change_in_words(c) for c in revision.changes]) for revision in revisions]


def catalogue_changes_for(criterion: Criterion) -> list[dict]:
    """What the catalogue changed in the criterion's template since the version the project
    took ([] when it is up to date or not from the catalogue)."""
    template = criterion.template
    if template is None or (criterion.template_version or 0) >= template.version:
        return []
    taken = TemplateRevision.objects.filter(
        template=template, version=criterion.template_version or 1
    ).first()
    return entry_changes(taken.values if taken else {}, template_values(template, COMPARED_FIELDS))


def criterion_pack_list() -> list[CriterionPack]:
    """The shipped pack (an unsaved row: it is not imported) then the imported ones, with
    who imported them."""
    shipped = CriterionPack(
        slug=SHIPPED_PACK_HEADER["id"],
        version=SHIPPED_PACK_HEADER["version"],
        name=SHIPPED_PACK_HEADER["name"],
        description=SHIPPED_PACK_HEADER["description"],
    )
    return [shipped, *CriterionPack.objects.select_related("imported_by").order_by("slug")]


@dataclass(frozen=True)
class ProcessState:
    """Where a process criterion stands (a ProcessStatus value) and the answer that says
    so: the accepted one that holds, the one waiting for a decision, or the one sent back
    or expired; None when nobody answered yet."""

    status: str
    attestation: Attestation | None

    @property
    def label(self) -> str:
        return ProcessStatus(self.status).label


def process_state_judge(
    attestations: Iterable[Attestation], *, today: datetime.date | None = None
) -> ProcessState:
    """The state from a criterion's answers: satisfied while its latest decision is an
    acceptance still valid today; else waiting while an answer awaits a decision; else
    failing when its latest decision was a refusal or an acceptance that ran out; else
    unanswered. A renewal waiting beside a valid acceptance leaves it satisfied."""
    today = today or timezone.localdate()
    answers = list(attestations)
    decided = [answer for answer in answers if answer.status != AttestationStatus.SUBMITTED]
    latest = max(decided, key=lambda answer: (answer.decided_at, answer.pk), default=None)
    if (
        latest is not None
        and latest.status == AttestationStatus.ACCEPTED
        and latest.valid_until is not None
        and latest.valid_until >= today
    ):
        return ProcessState(ProcessStatus.SATISFIED, latest)
    waiting = next((a for a in answers if a.status == AttestationStatus.SUBMITTED), None)
    if waiting is not None:
        return ProcessState(ProcessStatus.PENDING, waiting)
    if latest is not None:
        return ProcessState(ProcessStatus.FAILING, latest)
    return ProcessState(ProcessStatus.UNANSWERED, None)


def attestation_list() -> QuerySet[Attestation]:
    """Every answer with its criterion, project and people joined; scope it before use."""
    return Attestation.objects.select_related(
        "criterion__project", "submitted_by", "decided_by"
    ).order_by("-submitted_at", "-id")


def attestation_list_for_criterion(*, criterion_id: int) -> QuerySet[Attestation]:
    """One criterion's answers, newest first."""
    return attestation_list().filter(criterion_id=criterion_id)


def process_criterion_state(
    criterion: Criterion, *, today: datetime.date | None = None
) -> ProcessState:
    """Where one process criterion stands (one query)."""
    return process_state_judge(
        attestation_list_for_criterion(criterion_id=criterion.pk), today=today
    )


def process_states_for_project(
    *, project_id: int, today: datetime.date | None = None
) -> dict[int, ProcessState]:
    """Every process criterion of the project → its state, in two queries however many
    criteria and answers there are."""
    criterion_ids = Criterion.objects.filter(
        project_id=project_id, kind=CriterionKind.PROCESS
    ).values_list("pk", flat=True)
    answers: dict[int, list[Attestation]] = {pk: [] for pk in criterion_ids}
    for answer in attestation_list().filter(criterion_id__in=list(answers)):
        answers[answer.criterion_id].append(answer)
    return {pk: process_state_judge(found, today=today) for pk, found in answers.items()}
