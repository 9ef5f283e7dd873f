"""The result of one plan item on one subject, as stored and exported.

`CheckResult.to_dict()` produces exactly the keys the rest of Qualiti reads; the values
are plain JSON (numpy scalars converted, NaN and infinities written as null).
"""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CATEGORIES = (
    "performance",
    "calibration",
    "robustness",
    "fairness",
    "weak_segment",
    "data_quality",
    "drift",
    "anomaly",
    "efficiency",
)
OUTCOMES = ("pass", "fail", "error", "skipped")
RESULT_KEYS = (
    "check",
    "category",
    "subject",
    "outcome",
    "observed",
    "threshold",
    "ci",
    "evidence",
    "flagged_rows",
    "sampling",
    "criterion",
    "severity",
    "blocking",
    "message",
)


def json_value(value: Any) -> Any:
    """A JSON-safe copy of a value: numpy types become Python ones, non-finite floats None."""
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(item) for item in value]
    if isinstance(value, np.ndarray):
        return [json_value(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class CheckResult:
    check: str
    category: str
    subject: str | None
    outcome: str
    observed: dict[str, Any] | None = None
    threshold: float | None = None
    ci: dict[str, Any] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    flagged_rows: list[int] = field(default_factory=list)
    sampling: dict[str, Any] | None = None
    criterion: str | None = None
    severity: str | None = None
    blocking: bool = False
    message: str = ""
    # Not exported with the result's keys: the metric and comparator the plan item
    # judged with (for summaries) and how long the check took (the worker stores it).
    metric: str | None = None
    comparator: str | None = None
    duration_ms: int = 0

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")

    def to_dict(self) -> dict[str, Any]:
        return {key: json_value(getattr(self, key)) for key in RESULT_KEYS}

    @property
    def value(self) -> Any:
        """The judged value, when the plan item named a metric and the check produced it."""
        if self.observed is None or self.metric is None:
            return None
        return self.observed.get(self.metric)
