"""Reads of criteria and templates shared by the API and the pages.

Project scoping is applied by the caller (ProjectScopedMixin or scope_to_visible_projects);
these fix the joins, so a list costs the same number of queries however long it is.
"""

from django.db.models import QuerySet

from apps.criteria.models import Criterion, CriterionTemplate


def criterion_template_list() -> QuerySet[CriterionTemplate]:
    """The whole catalogue, ordered by code."""
    return CriterionTemplate.objects.order_by("code")


def criterion_list() -> QuerySet[Criterion]:
    """Every criterion with its project and template joined; scope it before use."""
    return Criterion.objects.select_related("project", "template").order_by("project_id", "code")
