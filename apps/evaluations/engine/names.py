"""The human names of the checks' metrics, as pages and reports show them.

A metric key means the same thing in every check that reports it (drift's `psi`, the
robustness checks' `relative_metric_drop`), so its name lives here once rather than on
each check. The keys stay the contract with criteria and the API; the names are for people
and may be reworded freely. A check's own name is its `name` attribute.
"""

METRIC_NAMES: dict[str, str] = {
    # Performance
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1 score",
    "precision_macro": "Macro precision",
    "recall_macro": "Macro recall",
    "f1_macro": "Macro F1 score",
    "precision_weighted": "Weighted precision",
    "recall_weighted": "Weighted recall",
    "f1_weighted": "Weighted F1 score",
    "roc_auc": "ROC AUC",
    "pr_auc": "Precision-recall AUC",
    "log_loss": "Log loss",
    "mcc": "Matthews correlation coefficient",
    "min_class_recall": "Lowest class recall",
    "balanced_accuracy_ci_width": "Balanced accuracy interval width",
    "mae": "Mean absolute error (MAE)",
    "rmse": "Root mean squared error (RMSE)",
    "r2": "Coefficient of determination (R²)",
    "mape": "Mean absolute percentage error (MAPE)",
    "max_error": "Largest error",
    "mean_residual": "Mean residual (bias)",
    "balanced_accuracy_skill": "Balanced accuracy skill over the baseline",
    "accuracy_skill": "Accuracy skill over the baseline",
    "f1_macro_skill": "Macro F1 skill over the baseline",
    "roc_auc_skill": "ROC AUC skill over the baseline",
    "log_loss_skill": "Log loss skill over the baseline",
    "mae_skill": "MAE skill over the baseline",
    "rmse_skill": "RMSE skill over the baseline",
    "mape_skill": "MAPE skill over the baseline",
    "relative_drop": "Relative drop from the reference",
    "absolute_drop": "Absolute drop from the reference",
    "estimated_accuracy": "Estimated accuracy (no labels)",
    "estimated_f1": "Estimated F1 score (no labels)",
    "estimated_roc_auc": "Estimated ROC AUC (no labels)",
    "estimated_accuracy_drop": "Estimated accuracy drop from the reference",
    "estimated_f1_drop": "Estimated F1 drop from the reference",
    "estimated_roc_auc_drop": "Estimated ROC AUC drop from the reference",
    # Calibration
    "expected_calibration_error": "Expected calibration error",
    "max_calibration_error": "Maximum calibration error",
    "overconfidence_rate": "Overconfidence",
    "underconfidence_rate": "Underconfidence",
    "brier_score": "Brier score",
    "brier_skill_score": "Brier skill score",
    # Robustness
    "prediction_flip_rate": "Prediction flip rate",
    "relative_metric_drop": "Relative metric drop",
    "shift_flip_rate": "Flip rate under a scale shift",
    "max_feature_metric_drop": "Largest drop from one feature",
    "metric_drop": "Metric drop without the feature",
    "failure_rate": "Failure rate",
    "monotonicity_violation_rate": "Monotonicity violation rate",
    "invariance_change_rate": "Invariance change rate",
    # Fairness
    "demographic_parity_ratio": "Demographic parity ratio",
    "demographic_parity_difference": "Demographic parity difference",
    "equalized_odds_ratio": "Equalized odds ratio",
    "equalized_odds_difference": "Equalized odds difference",
    "true_positive_rate_ratio": "True positive rate ratio (equal opportunity)",
    "true_positive_rate_difference": "True positive rate difference (equal opportunity)",
    "balanced_accuracy_difference": "Balanced accuracy gap between groups",
    "mae_ratio": "Group MAE ratio",
    "mae_difference": "Group MAE difference",
    "mae_spread": "Group MAE spread",
    # Weak segments
    "slice_metric_gap": "Slice gap",
    "worst_slice_metric_gap": "Worst slice gap",
    "weak_slice_row_share": "Share of rows in weak slices",
    "weak_slice_count": "Weak slice count",
    # Data quality
    "schema_mismatch_count": "Schema mismatch count",
    "missing_rate": "Missing value rate",
    "excess_missing_rate": "Missing value rate above the reference's",
    "target_missing_rate": "Missing label rate",
    "near_constant_column_count": "Near-constant column count",
    "constant_column_count": "Constant column count",
    "dominant_value_share": "Dominant value share",
    "mixed_type_column_count": "Mixed-type column count",
    "minority_type_share": "Minority type share",
    "out_of_range_share": "Out-of-range value share",
    "excess_out_of_range_share": "Out-of-range share above chance",
    "impossible_value_share": "Impossible value share",
    "unseen_category_share": "Unseen category share",
    "duplicate_row_share": "Duplicate row share",
    "excess_duplicate_row_share": "Duplicate row share above the reference's",
    "minority_class_share": "Minority class share",
    "conflicting_label_share": "Conflicting label share",
    "excess_conflicting_label_share": "Conflicting label share above chance",
    "predictive_power": "Single-feature predictive power",
    "max_feature_predictive_power": "Highest single-feature predictive power",
    "overlap_share": "Training overlap share",
    # Drift and representativeness
    "effect_size": "Drift effect size",
    "psi": "Population stability index (PSI)",
    "jensen_shannon_distance": "Jensen-Shannon distance",
    "wasserstein_normed": "Normed Wasserstein distance",
    "ks_statistic": "Kolmogorov-Smirnov statistic",
    "p_value": "p-value",
    "drifted_column_share": "Drifted column share",
    "drifted_column_count": "Drifted column count",
    "domain_classifier_auc": "Domain classifier AUC",
    "importance_weighted_drift": "Importance-weighted input drift",
    "category_coverage": "Category coverage",
    "smallest_group_rows": "Rows in the smallest group",
    # Anomalies
    "outlier_share": "Input outlier share",
    "excess_outlier_share": "Input outlier share above the reference's",
    "confident_error_share": "Confident error share",
    "excess_confident_error_share": "Confident error share above calibrated",
    "out_of_range_prediction_share": "Implausible prediction share",
    "residual_outlier_share": "Residual outlier share",
    # Efficiency
    "p50_latency_ms": "Median latency (ms)",
    "p95_latency_ms": "95th percentile latency (ms)",
    "p99_latency_ms": "99th percentile latency (ms)",
    "p99_to_p50_latency_ratio": "Tail-to-median latency ratio",
    "latency_per_row_ms": "Latency per row (ms)",
    "rows_per_second": "Rows per second",
    "batch_latency_per_row_ms": "Batch time per row (ms)",
    "peak_memory_mb": "Peak memory (MB)",
    "artifact_size_mb": "Model file size (MB)",
}


# Words of a key without a name that are not written in lower case.
_WORDS = {
    "psi": "PSI",
    "auc": "AUC",
    "roc": "ROC",
    "pr": "PR",
    "mae": "MAE",
    "rmse": "RMSE",
    "mape": "MAPE",
    "mcc": "MCC",
    "r2": "R²",
    "ci": "CI",
    "ks": "KS",
    "f1": "F1",
    "jensen": "Jensen",
    "shannon": "Shannon",
    "wasserstein": "Wasserstein",
    "brier": "Brier",
}


def metric_name(key: str) -> str:
    """A metric's name; a key without one (a value a check adds to its evidence) is put in
    words ("ks_p_value" → "KS p value") rather than refused, so an old result never breaks
    a page."""
    if key in METRIC_NAMES:
        return METRIC_NAMES[key]
    words = [_WORDS.get(word, word) for word in str(key).split("_") if word]
    if not words:
        return str(key)
    return " ".join([words[0][0].upper() + words[0][1:], *words[1:]])


# Metrics whose values can only lie in a range, so that a threshold outside it is a typo
# (a criterion that could never pass, or never fail). Keys not named here are unbounded
# or bounded by the data (a skill, a difference of errors, a latency).
_UNIT_INTERVAL = frozenset(
    {
        "accuracy", "balanced_accuracy", "precision", "recall", "f1", "precision_macro",
        "recall_macro", "f1_macro", "precision_weighted", "recall_weighted", "f1_weighted",
        "roc_auc", "pr_auc", "min_class_recall", "category_coverage", "domain_classifier_auc",
        "estimated_accuracy", "estimated_f1", "estimated_roc_auc", "p_value",
        "jensen_shannon_distance", "ks_statistic", "expected_calibration_error",
        "max_calibration_error", "demographic_parity_ratio",
        "equalized_odds_ratio", "true_positive_rate_ratio",
    }
)  # fmt: skip


def metric_range(key: str) -> tuple[float, float | None] | None:
    """(lowest, highest or None) a metric's values can take, or None when not bounded:
    shares and rates lie in [0, 1], their excess over the reference's in [-1, 1], counts,
    times and sizes are at least 0."""
    if key.startswith("excess_"):
        return (-1.0, 1.0)
    if key in _UNIT_INTERVAL or key.endswith(("_share", "_rate")):
        return (0.0, 1.0)
    if key.endswith(("_count", "_rows", "_ms", "_mb")) or key == "rows_per_second":
        return (0.0, None)
    return None


def threshold_out_of_range(key: str, threshold: float) -> str | None:
    """Why a threshold lies outside the values its metric can take (a typo: the criterion
    could never pass, or never fail), or None when it lies inside them."""
    bounds = metric_range(key)
    if bounds is None:
        return None
    low, high = bounds
    if low <= threshold and (high is None or threshold <= high):
        return None
    span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
    return (
        f"{metric_name(key)} always lies {span}, so a threshold of {threshold:g} would make "
        "a criterion that can never pass or never fail"
    )
