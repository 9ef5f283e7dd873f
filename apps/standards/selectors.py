"""Reads of frameworks shared by the API and the pages: a fixed number of queries however
many requirements and templates there are."""

from django.db.models import Prefetch, QuerySet

from apps.criteria.models import CriterionTemplate
from apps.standards.models import Framework, Requirement


def framework_list() -> QuerySet[Framework]:
    """Every framework with its requirements, in order, and each requirement's templates."""
    requirements = Requirement.objects.order_by("position").prefetch_related(
        Prefetch("templates", queryset=CriterionTemplate.objects.order_by("code"))
    )
    return Framework.objects.order_by("identifier").prefetch_related(
        Prefetch("requirements", queryset=requirements)
    )
