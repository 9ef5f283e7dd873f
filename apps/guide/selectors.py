"""Reads of the guide: a page per check, from the engine's registry and the catalogue, and
a page per framework requirement. Each reads the database in a fixed number of queries,
however many templates and requirements there are."""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.criteria.models import Category, CriterionTemplate
from apps.evaluations import engine
from apps.evaluations.engine.defaults import DEFAULT_PLAN
from apps.evaluations.engine.registry import Check
from apps.guide.examples import Example, Judgement, check_examples
from apps.guide.statistics import Parameter, parameter_rows, statistics_sentences
from apps.standards.models import Framework, Requirement
from apps.standards.selectors import framework_list


@dataclass(frozen=True)
class Fix:
    source: str  # "" for the check's own text, else the template's code
    text: str


@dataclass(frozen=True)
class CheckGuide:
    check: dict[str, Any]  # as `Check.describe()` gives it
    category: str  # the category's name
    statistics: list[str]
    parameters: list[Parameter]
    templates: list[CriterionTemplate]  # each with its requirements and their frameworks
    fixes: list[Fix]
    references: list[str]
    examples: list[Example]

    @property
    def figures(self) -> dict[str, Any]:
        """The example figures by name, as the page hands them to plotly.js."""
        return {example.name: example.figure for example in self.examples}


def _templates_of_check(key: str) -> QuerySet[CriterionTemplate]:
    requirements = Requirement.objects.select_related("framework").order_by(
        "framework__identifier", "position"
    )
    return (
        CriterionTemplate.objects.filter(check_key=key)
        .order_by("code")
        .prefetch_related(Prefetch("requirements", queryset=requirements))
    )


def _references(texts: list[str]) -> list[str]:
    """Each reference once, in order: texts split at their semicolons."""
    seen: dict[str, str] = {}
    for text in texts:
        for piece in re.split(r";\s+", text):
            reference = piece.strip().rstrip(".")
            if reference and reference.lower() not in seen:
                seen[reference.lower()] = reference
    return list(seen.values())


def _judgement(check: Check, templates: list[CriterionTemplate]) -> Judgement | None:
    """How the example judges the check: the template on its default metric, else its first
    template, else the command line's default plan; None when nothing judges it."""
    judged = [
        Judgement(code=template.code, name=template.name, metric=template.metric,
                  comparator=template.comparator, threshold=template.threshold)
        for template in templates
        if template.threshold is not None
    ]  # fmt: skip
    judged.sort(key=lambda judgement: judgement.metric != check.default_metric)
    if judged:
        return judged[0]
    for item in DEFAULT_PLAN:
        if item["check"] == check.key and item.get("threshold") is not None:
            return Judgement(code="", name="The command line's default plan",
                             metric=item["metric"], comparator=item["comparator"],
                             threshold=item["threshold"])  # fmt: skip
    return None


def guide_check(*, key: str) -> CheckGuide | None:
    """A check's guide page; None for a key the engine does not know."""
    check = engine.registered_checks().get(key)
    if check is None:
        return None
    templates = list(_templates_of_check(key))
    fixes = [Fix(source="", text=check.docs.fix)] + [
        Fix(source=template.code, text=template.guidance)
        for template in templates
        if template.guidance
    ]
    return CheckGuide(
        check=check.describe(),
        category=str(dict(Category.choices).get(check.category, check.category)),
        statistics=statistics_sentences(check),
        parameters=parameter_rows(check),
        templates=templates,
        fixes=fixes,
        references=_references(
            [check.docs.reference] + [template.references for template in templates]
        ),
        examples=check_examples(check, _judgement(check, templates)),
    )


@dataclass(frozen=True)
class CheckEntry:
    key: str
    name: str
    what: str


def guide_checks_by_category() -> list[tuple[str, str, list[CheckEntry]]]:
    """Every check by category, in the categories' order: (category name, anchor, checks)."""
    by_category: dict[str, list[CheckEntry]] = {}
    for check in sorted(engine.registered_checks().values(), key=lambda check: check.name):
        entry = CheckEntry(key=check.key, name=check.name, what=check.docs.what)
        by_category.setdefault(check.category, []).append(entry)
    return [
        (str(label), f"checks-{value}", by_category[value])
        for value, label in Category.choices
        if value in by_category
    ]


def guide_frameworks() -> list[Framework]:
    """Every framework with its requirements in order (and their templates)."""
    return list(framework_list())


def guide_requirement(*, framework: str, identifier: str) -> Requirement | None:
    """A requirement with its framework and the templates giving evidence for it, by code;
    None when the framework or the requirement is unknown."""
    return (
        Requirement.objects.select_related("framework")
        .prefetch_related(
            Prefetch("templates", queryset=CriterionTemplate.objects.order_by("code"))
        )
        .filter(framework__identifier=framework, identifier=identifier)
        .first()
    )
