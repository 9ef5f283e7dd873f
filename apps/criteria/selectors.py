"""Reads of criteria and templates shared by the API and the pages.

Project scoping is applied by the caller (ProjectScopedMixin or scope_to_visible_projects);
these fix the joins, so a list costs the same number of queries however long it is.
"""

from django.db.models import Q, QuerySet

from apps.criteria.models import Category, Criterion, CriterionPack, CriterionTemplate
from apps.criteria.packs import SHIPPED_PACK_HEADER


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
        .select_related("template")
        .order_by("code", "id")
    )


def criterion_template_catalogue(
    *, search: str = "", category: str = ""
) -> list[tuple[str, list[CriterionTemplate]]]:
    """The catalogue grouped by category (in the categories' declared order), filtered by a
    text search over code, name, metric, check, rationale and guidance."""
    templates = criterion_template_list()
    if category:
        templates = templates.filter(category=category)
    if search:
        templates = templates.filter(
            Q(code__icontains=search)
            | Q(name__icontains=search)
            | Q(metric__icontains=search)
            | Q(check_key__icontains=search)
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
