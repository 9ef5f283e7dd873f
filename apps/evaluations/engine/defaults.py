"""The command line's default plan.

Performance is judged relatively: against a dummy baseline, against a simple model trained
on the same data (failing only when significantly worse) and against the labelled
reference data (failing only on a significant drop); absolute levels come from a
project's criteria. So do efficiency budgets: the costs are reported, not judged. Other
thresholds are the catalogue's, named by their criterion codes.
Items whose check needs a reference or training dataset that was not given are reported
as skipped.
"""

from typing import Any

from apps.criteria.catalogue import TEMPLATES
from apps.evaluations.engine.plan import PlanItem, plan_parse

_CLASSIFICATION = ("binary", "multiclass")
_REGRESSION = ("regression",)
_CATALOGUE = {template["code"]: template for template in TEMPLATES}


def from_catalogue(
    code: str, *, params: dict[str, Any] | None = None, tasks: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A catalogue criterion as the default plan judges it. Its check, metric, comparator,
    threshold, severity and blocking flag are the catalogue's (their one home: the same as
    a project's criterion made from the template); the parameters are the check's own
    defaults unless the plan gives lighter ones for the command line."""
    template = _CATALOGUE[code]
    item = {
        "criterion": code,
        "check": template["check_key"],
        **{name: template[name] for name in ("metric", "comparator", "threshold", "severity")},
        "blocking": template.get("blocking", False),
    }
    if params is not None:
        item["params"] = params
    if tasks:
        item["tasks"] = tasks
    return item


DEFAULT_PLAN: list[dict[str, Any]] = [
    from_catalogue(
        "PERF-01",
        params={"baseline": "most_frequent", "metric": "balanced_accuracy"},
        tasks=_CLASSIFICATION,
    ),
    from_catalogue("PERF-02", params={"baseline": "median", "metric": "mae"}, tasks=_REGRESSION),
    {
        "check": "performance.baseline_comparison",
        "metric": "balanced_accuracy_skill",
        "params": {
            "baseline": "simple",
            "metric": "balanced_accuracy",
            "require_significance": True,
        },
        "comparator": ">=",
        "threshold": 0.0,
        "severity": "medium",
        "tasks": _CLASSIFICATION,
    },
    {
        "check": "performance.baseline_comparison",
        "metric": "mae_skill",
        "params": {"baseline": "simple", "metric": "mae", "require_significance": True},
        "comparator": ">=",
        "threshold": 0.0,
        "severity": "medium",
        "tasks": _REGRESSION,
    },
    {
        "check": "performance.reference_comparison",
        "metric": "relative_drop",
        "params": {"metric": "balanced_accuracy"},
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "high",
        "tasks": _CLASSIFICATION,
    },
    {
        "check": "performance.reference_comparison",
        "metric": "relative_drop",
        "params": {"metric": "mae"},
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "high",
        "tasks": _REGRESSION,
    },
    {
        "check": "performance.classification",
        "metric": "balanced_accuracy",
        "threshold": None,
        "severity": "low",
        "tasks": _CLASSIFICATION,
    },
    {
        "check": "performance.regression",
        "metric": "mae",
        "threshold": None,
        "severity": "low",
        "tasks": _REGRESSION,
    },
    from_catalogue("CAL-01", tasks=_CLASSIFICATION),
    from_catalogue("DQ-01"),
    from_catalogue("DQ-02", params={"columns": "features"}),
    from_catalogue("DQ-03", params={"columns": "target"}),
    from_catalogue("DQ-04"),
    from_catalogue("DQ-05"),
    from_catalogue("DQ-06"),
    from_catalogue("DQ-07"),
    {
        "check": "data_quality.out_of_range",
        "metric": "impossible_value_share",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "high",
    },
    from_catalogue("DQ-08"),
    from_catalogue("DQ-09", tasks=_CLASSIFICATION),
    from_catalogue("DQ-10", tasks=_CLASSIFICATION),
    from_catalogue("DQ-11"),
    from_catalogue("DQ-12"),
    {
        "check": "drift.columns",
        "metric": "effect_size",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "medium",
    },
    from_catalogue("DRIFT-02"),
    from_catalogue("DRIFT-03"),
    from_catalogue("DRIFT-04"),
    from_catalogue("DRIFT-05"),
    from_catalogue("DRIFT-06"),
    from_catalogue("DRIFT-07", params={"columns": "sensitive"}),
    from_catalogue("FAIR-01", tasks=_CLASSIFICATION),
    from_catalogue("FAIR-02", tasks=_CLASSIFICATION),
    from_catalogue("SEG-01"),
    from_catalogue("SEG-02"),
    from_catalogue("ANOM-01"),
    from_catalogue("ANOM-02", tasks=_CLASSIFICATION),
    from_catalogue("ANOM-03"),
    from_catalogue("ANOM-04", tasks=_REGRESSION),
    from_catalogue("ROB-01", params={"noise_scale": 0.05, "categorical_swap_rate": 0.0}),
    from_catalogue("ROB-02", params={"noise_scale": 0.1, "categorical_swap_rate": 0.02}),
    {
        "check": "robustness.ablation",
        "metric": "max_feature_metric_drop",
        "params": {"repeats": 1},
        "threshold": None,
        "severity": "low",
    },
    from_catalogue("ROB-04"),
    {
        "check": "efficiency.latency",
        "metric": "p95_latency_ms",
        "params": {"repeats": 100, "warmup": 5},
        "threshold": None,
    },
    {"check": "efficiency.throughput", "metric": "rows_per_second", "threshold": None},
    {"check": "efficiency.memory", "metric": "peak_memory_mb", "threshold": None},
    {"check": "efficiency.model_size", "metric": "artifact_size_mb", "threshold": None},
    from_catalogue("FAIR-05", tasks=_REGRESSION),
]


def default_plan(task: str) -> list[PlanItem]:
    """The default plan for a task type ("binary", "multiclass" or "regression")."""
    items = [
        {key: value for key, value in item.items() if key != "tasks"}
        for item in DEFAULT_PLAN
        if task in item.get("tasks", (task,))
    ]
    return plan_parse(items)
