"""Plans: the JSON list of items the engine runs, their validation, and the default plan.

An item: {"criterion": "PERF-01", "check": "performance.baseline_comparison",
"metric": "balanced_accuracy_skill", "params": {...}, "comparator": ">=", "threshold": 0.2,
"severity": "critical", "blocking": true}. `metric` defaults to the check's main metric;
a null threshold reports the value without judging it. A plan is a list of items, or an
object with an "items" list (the web app's approved test plan has that shape).
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from apps.evaluations.engine.errors import PlanError
from apps.evaluations.engine.registry import registered_checks

COMPARATORS = ("<=", "<", ">=", ">")
SEVERITIES = ("critical", "high", "medium", "low")
_ITEM_KEYS = {
    "criterion",
    "check",
    "check_key",
    "metric",
    "params",
    "comparator",
    "threshold",
    "severity",
    "blocking",
}


@dataclass(frozen=True)
class PlanItem:
    check: str
    metric: str
    params: dict[str, Any] = field(default_factory=dict)
    comparator: str | None = None
    threshold: float | None = None
    severity: str = "medium"
    blocking: bool = False
    criterion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_parse(data: Any) -> list[PlanItem]:
    """Validated plan items; a PlanError names the item and what is wrong with it."""
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if not isinstance(data, list):
        raise PlanError("A plan is a JSON list of items (or an object with an 'items' list).")
    checks = registered_checks()
    items = []
    for number, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            raise PlanError(f"Plan item {number} is not a JSON object.")
        where = f"Plan item {number}" + (f" ({raw['criterion']})" if raw.get("criterion") else "")
        unknown = sorted(set(raw) - _ITEM_KEYS)
        if unknown:
            raise PlanError(f"{where} has unknown keys: {', '.join(unknown)}.")
        key = raw.get("check") or raw.get("check_key")
        if key not in checks:
            raise PlanError(f"{where} names an unknown check {key!r}.")
        check = checks[key]
        metric = raw.get("metric") or check.default_metric
        if metric not in check.metrics:
            raise PlanError(
                f"{where}: the check {key} does not produce {metric!r}; it produces "
                f"{', '.join(sorted(check.metrics))}."
            )
        threshold = raw.get("threshold")
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, int | float)
        ):
            raise PlanError(f"{where}: the threshold must be a number or null.")
        comparator = raw.get("comparator")
        if threshold is not None and comparator not in COMPARATORS:
            raise PlanError(f"{where}: the comparator must be one of {', '.join(COMPARATORS)}.")
        severity = raw.get("severity", "medium")
        if severity not in SEVERITIES:
            raise PlanError(f"{where}: the severity must be one of {', '.join(SEVERITIES)}.")
        blocking = raw.get("blocking", False)
        if not isinstance(blocking, bool):
            raise PlanError(f"{where}: blocking must be true or false.")
        try:
            params = check.params_with_defaults(raw.get("params"))
        except jsonschema.ValidationError as error:
            place = ".".join(str(part) for part in error.absolute_path) or "params"
            raise PlanError(f"{where}: parameter {place}: {error.message}.") from error
        items.append(
            PlanItem(
                check=key,
                metric=metric,
                params=params,
                comparator=comparator if threshold is not None else None,
                threshold=float(threshold) if threshold is not None else None,
                severity=severity,
                blocking=blocking,
                criterion=raw.get("criterion"),
            )
        )
    return items


def plan_load(path: str | Path) -> list[PlanItem]:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as error:
        raise PlanError(f"The plan file {path} does not exist.") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanError(f"The plan file {path} is not valid JSON: {error}.") from error
    return plan_parse(data)
