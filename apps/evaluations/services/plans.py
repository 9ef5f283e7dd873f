"""An approved test plan as the engine's plan: one item per plan check, judged by the
criterion snapshot frozen at approval."""

from typing import Any

from apps.evaluations import engine
from apps.projects.models import Dataset, DatasetRole
from apps.testplans.models import PlanCheck, TestPlan
from qualiti.errors import InvalidInput

_JUDGEMENT = ("metric", "comparator", "threshold", "severity", "blocking")


def plan_checks(test_plan: TestPlan) -> list[PlanCheck]:
    return list(test_plan.checks.select_related("criterion").order_by("position", "id"))


def plan_item_document(plan_check: PlanCheck) -> dict[str, Any]:
    """One engine plan item. A plan approved before snapshots existed falls back to the
    criterion's current values."""
    snapshot = plan_check.criterion_snapshot or {}
    criterion = plan_check.criterion
    judgement = {
        name: snapshot[name] if name in snapshot else getattr(criterion, name)
        for name in _JUDGEMENT
    }
    return {
        "criterion": snapshot.get("code") or criterion.code,
        "check": plan_check.check_key,
        "params": dict(plan_check.params or {}),
        **judgement,
    }


def plan_document(test_plan: TestPlan) -> list[dict[str, Any]]:
    """The engine plan JSON of a test plan (what `python -m apps.evaluations.engine
    --plan` reads)."""
    return [plan_item_document(check) for check in plan_checks(test_plan)]


def plan_items(plan_checks: list[PlanCheck]) -> list[tuple[PlanCheck, engine.PlanItem]]:
    """Each plan check with its validated engine item; InvalidInput names a bad one."""
    pairs = []
    for check in plan_checks:
        try:
            (item,) = engine.plan_parse([plan_item_document(check)])
        except engine.PlanError as error:
            raise InvalidInput(
                f"The plan's check {check.check_key} ({check.criterion.code}) is invalid: "
                f"{error.message}",
                field="test_plan",
            ) from error
        pairs.append((check, item))
    return pairs


def plan_needs_target(plan_checks: list[PlanCheck]) -> bool:
    """Whether the evaluation data must name its target column: a check of the plan reads
    labels, as the check itself declares. For a plan of none, data without labels is
    enough (the engine gets an empty target column, see `execution`)."""
    return any(
        "labels" in engine.get_check(check.check_key).reads_with(dict(check.params or {}))
        for check in plan_checks
    )


def labels_required(plan_checks: list[PlanCheck], dataset: Dataset) -> bool:
    """Whether the evaluated data must name its labels: when a check of the plan reads
    them, except on a production sample, whose labels often come later. There those checks
    are skipped (monitoring measures performance where labels exist)."""
    return dataset.role != DatasetRole.PRODUCTION_SAMPLE and plan_needs_target(plan_checks)


def plan_dataset_roles(plan_checks: list[PlanCheck]) -> set[str]:
    return {role for check in plan_checks for role in (check.dataset_roles or [])}
