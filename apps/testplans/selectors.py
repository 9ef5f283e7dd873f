"""Reads of test plans for the pages: the list, one plan with its checks and versions, and
what changed between two versions."""

from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet

from apps.evaluations.services.plans import plan_document
from apps.testplans.models import PlanCheck, TestPlan

# The judgement an item takes from its criterion, compared between two versions.
JUDGEMENT_FIELDS = ("metric", "comparator", "threshold", "severity", "blocking")


def test_plan_list_for_project(*, project_id: int) -> QuerySet[TestPlan]:
    """Every version of every plan of a project, with its number of checks."""
    return (
        TestPlan.objects.filter(project_id=project_id)
        .select_related("approved_by")
        .annotate(check_count=Count("checks"))
        .order_by("name", "-version")
    )


def test_plan_versions(*, plan: TestPlan) -> QuerySet[TestPlan]:
    """All versions of the plan's name in its project, newest first."""
    return (
        TestPlan.objects.filter(project_id=plan.project_id, name=plan.name)
        .select_related("approved_by")
        .annotate(check_count=Count("checks"))
        .order_by("-version")
    )


def plan_check_list(*, plan: TestPlan) -> QuerySet[PlanCheck]:
    return plan.checks.select_related("criterion").order_by("position", "id")


def _keyed(document: list[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, Any]]:
    """Items keyed by (criterion, check, occurrence), so a check that a plan holds twice for
    the same criterion is compared with its own counterpart."""
    seen: Counter = Counter()
    keyed = {}
    for item in document:
        pair = (item["criterion"], item["check"])
        seen[pair] += 1
        keyed[(*pair, seen[pair])] = item
    return keyed


def plan_document_diff(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """What changed from the `old` engine plan document to the `new` one: items added,
    removed, and for items in both, each parameter or judgement that differs (old → new).

    A check is the same check in both versions when it has the same criterion and check
    key; changing a check's criterion therefore shows as one removed and one added."""
    before, after = _keyed(old), _keyed(new)
    added = [after[key] for key in after if key not in before]
    removed = [before[key] for key in before if key not in after]
    changed = []
    for key in after:
        if key not in before:
            continue
        then, now = before[key], after[key]
        differences = [
            {"what": field, "old": then.get(field), "new": now.get(field)}
            for field in JUDGEMENT_FIELDS
            if then.get(field) != now.get(field)
        ]
        old_params, new_params = then.get("params") or {}, now.get("params") or {}
        differences += [
            {"what": f"parameter {name}", "old": old_params.get(name), "new": new_params.get(name)}
            for name in sorted(set(old_params) | set(new_params))
            if old_params.get(name) != new_params.get(name)
        ]
        if differences:
            changed.append({"criterion": key[0], "check": key[1], "changes": differences})
    return {"added": added, "removed": removed, "changed": changed}


def plan_version_diff(*, old: TestPlan, new: TestPlan) -> dict[str, list[dict[str, Any]]]:
    """The difference between two plan versions, as their engine documents say it."""
    return plan_document_diff(plan_document(old), plan_document(new))
