"""The command line's default plan.

Performance is judged relatively: against a dummy baseline, against a simple model trained
on the same data (failing only when significantly worse) and against the labelled
reference data (failing only on a significant drop); absolute levels come from a
project's criteria. Other thresholds are the catalogue's, named by their criterion codes.
Items whose check needs a reference or training dataset that was not given are reported
as skipped.
"""

from apps.evaluations.engine.plan import PlanItem, plan_parse

_CLASSIFICATION = ("binary", "multiclass")
_REGRESSION = ("regression",)

DEFAULT_PLAN: list[dict] = [
    {
        "criterion": "PERF-01",
        "check": "performance.baseline_comparison",
        "metric": "balanced_accuracy_skill",
        "params": {"baseline": "most_frequent", "metric": "balanced_accuracy"},
        "comparator": ">=",
        "threshold": 0.2,
        "severity": "critical",
        "blocking": True,
        "tasks": _CLASSIFICATION,
    },
    {
        "criterion": "PERF-02",
        "check": "performance.baseline_comparison",
        "metric": "mae_skill",
        "params": {"baseline": "median", "metric": "mae"},
        "comparator": ">=",
        "threshold": 0.2,
        "severity": "critical",
        "blocking": True,
        "tasks": _REGRESSION,
    },
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
    {
        "criterion": "CAL-01",
        "check": "calibration.classification",
        "metric": "expected_calibration_error",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "medium",
        "tasks": _CLASSIFICATION,
    },
    {
        "criterion": "DQ-01",
        "check": "data_quality.schema",
        "metric": "schema_mismatch_count",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "critical",
        "blocking": True,
    },
    {
        "criterion": "DQ-02",
        "check": "data_quality.missing_values",
        "metric": "missing_rate",
        "params": {"columns": "features"},
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "medium",
    },
    {
        "criterion": "DQ-03",
        "check": "data_quality.missing_values",
        "metric": "target_missing_rate",
        "params": {"columns": "target"},
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "high",
    },
    {
        "criterion": "DQ-04",
        "check": "data_quality.duplicates",
        "metric": "duplicate_row_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "low",
    },
    {
        "criterion": "DQ-05",
        "check": "data_quality.constant_columns",
        "metric": "near_constant_column_count",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "low",
    },
    {
        "criterion": "DQ-06",
        "check": "data_quality.mixed_types",
        "metric": "mixed_type_column_count",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "medium",
    },
    {
        "criterion": "DQ-07",
        "check": "data_quality.out_of_range",
        "metric": "out_of_range_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "medium",
    },
    {
        "check": "data_quality.out_of_range",
        "metric": "impossible_value_share",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "high",
    },
    {
        "criterion": "DQ-08",
        "check": "data_quality.unseen_categories",
        "metric": "unseen_category_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "medium",
    },
    {
        "criterion": "DQ-09",
        "check": "data_quality.class_imbalance",
        "metric": "minority_class_share",
        "comparator": ">=",
        "threshold": 0.01,
        "severity": "low",
        "tasks": _CLASSIFICATION,
    },
    {
        "criterion": "DQ-10",
        "check": "data_quality.label_conflicts",
        "metric": "conflicting_label_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "medium",
        "tasks": _CLASSIFICATION,
    },
    {
        "criterion": "DQ-11",
        "check": "data_quality.target_leakage",
        "metric": "predictive_power",
        "comparator": "<=",
        "threshold": 0.9,
        "severity": "high",
    },
    {
        "criterion": "DQ-12",
        "check": "data_quality.train_eval_overlap",
        "metric": "overlap_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "high",
        "blocking": True,
    },
    {
        "check": "drift.columns",
        "metric": "effect_size",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "medium",
    },
    {
        "criterion": "DRIFT-02",
        "check": "drift.columns",
        "metric": "drifted_column_share",
        "comparator": "<=",
        "threshold": 0.3,
        "severity": "high",
    },
    {
        "criterion": "DRIFT-03",
        "check": "drift.prediction",
        "metric": "psi",
        "comparator": "<=",
        "threshold": 0.2,
        "severity": "medium",
    },
    {
        "criterion": "DRIFT-04",
        "check": "drift.label",
        "metric": "jensen_shannon_distance",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "medium",
    },
    {
        "criterion": "DRIFT-05",
        "check": "drift.multivariate",
        "metric": "domain_classifier_auc",
        "comparator": "<=",
        "threshold": 0.6,
        "severity": "medium",
    },
    {
        "criterion": "DRIFT-06",
        "check": "drift.representativeness",
        "metric": "category_coverage",
        "comparator": ">=",
        "threshold": 0.95,
        "severity": "medium",
    },
    {
        "criterion": "DRIFT-07",
        "check": "drift.representativeness",
        "metric": "smallest_group_rows",
        "params": {"columns": "sensitive"},
        "comparator": ">=",
        "threshold": 30.0,
        "severity": "medium",
    },
    {
        "criterion": "FAIR-01",
        "check": "fairness.classification",
        "metric": "demographic_parity_ratio",
        "comparator": ">=",
        "threshold": 0.8,
        "severity": "high",
        "tasks": _CLASSIFICATION,
    },
    {
        "criterion": "FAIR-02",
        "check": "fairness.classification",
        "metric": "equalized_odds_difference",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "high",
        "tasks": _CLASSIFICATION,
    },
    {
        "criterion": "FAIR-05",
        "check": "fairness.regression",
        "metric": "mae_ratio",
        "comparator": "<=",
        "threshold": 1.25,
        "severity": "medium",
        "tasks": _REGRESSION,
    },
]


def default_plan(task: str) -> list[PlanItem]:
    """The default plan for a task type ("binary", "multiclass" or "regression")."""
    items = [
        {key: value for key, value in item.items() if key != "tasks"}
        for item in DEFAULT_PLAN
        if task in item.get("tasks", (task,))
    ]
    return plan_parse(items)
