"""The engine checks the catalogue relies on, keyed by their stable dotted key.

This is the contract with apps/evaluations/engine: every key here is registered there, and
each check reports its `observed` values keyed by the metric names the templates use.
"""

CHECK_KEYS: dict[str, str] = {
    # Performance and calibration
    "performance.classification": (
        "Classification metrics on the evaluation set (accuracy, balanced accuracy, precision, "
        "recall, F1, ROC AUC, log loss, per-class recall) with bootstrap confidence intervals."
    ),
    "performance.regression": (
        "Regression error metrics on the evaluation set (MAE, RMSE, R², MAPE) with bootstrap "
        "confidence intervals."
    ),
    "performance.baseline_comparison": (
        "Skill of the model over a dummy baseline fitted on the training set (majority class or "
        "median): 1 - model error / baseline error, for the chosen metric."
    ),
    "performance.estimated": (
        "Accuracy, F1 and ROC AUC estimated without labels from probabilities calibrated on "
        "the reference (confidence-based performance estimation), with an interval, against "
        "the reference's realised values."
    ),
    "calibration.classification": (
        "Calibration of predicted probabilities: expected and maximum calibration error over "
        "probability bins, Brier score and Brier skill score, with a reliability diagram."
    ),
    # Robustness
    "robustness.noise": (
        "Adds Gaussian noise scaled to each numeric column's standard deviation (and swaps a share "
        "of categorical values), then measures the prediction flip rate and the metric drop."
    ),
    "robustness.ablation": (
        "Permutes one feature at a time and measures the relative drop of the primary metric; "
        "reports the largest single-feature drop."
    ),
    "robustness.missing_inputs": (
        "Blanks a share of each feature's values and measures the share of rows the model fails "
        "on (exception, NaN or infinite output) and the metric drop."
    ),
    # Fairness and weak segments
    "fairness.classification": (
        "Per-group selection rate, true and false positive rates and balanced accuracy for each "
        "sensitive column, with demographic parity, equal opportunity and equalized odds "
        "ratios and differences (fairlearn)."
    ),
    "fairness.regression": (
        "Per-group MAE for each sensitive column, and the worst-to-best group error ratio."
    ),
    "weak_segments.discovery": (
        "Searches slices of one or two binned features for ones where the primary metric is "
        "significantly below the whole set's; reports each distinct weak slice (up to a cap) "
        "as its own result with its rows, and the share of rows in weak slices."
    ),
    # Data quality
    "data_quality.schema": (
        "Compares the dataset's columns and types with the model's feature list and the training "
        "schema: missing, unexpected and retyped columns."
    ),
    "data_quality.missing_values": "Share of missing values per column, target included.",
    "data_quality.duplicates": "Share of rows that exactly duplicate another row.",
    "data_quality.constant_columns": (
        "Columns with a single value, or whose most frequent value covers nearly every row."
    ),
    "data_quality.mixed_types": "Columns whose values mix several types (numbers and text).",
    "data_quality.out_of_range": (
        "Share of numeric values outside the range seen in the training data, per column."
    ),
    "data_quality.unseen_categories": (
        "Share of rows whose categorical value never occurs in the training data, per column."
    ),
    "data_quality.class_imbalance": "Share of the rarest class of the target.",
    "data_quality.label_conflicts": (
        "Share of rows belonging to groups of identical features with different labels."
    ),
    "data_quality.target_leakage": (
        "Predictive power of each feature alone for the target (a one-feature model, cross-"
        "validated, scored 0 for no better than the baseline to 1 for perfect)."
    ),
    "data_quality.train_eval_overlap": (
        "Share of evaluation rows whose features also appear in the training set."
    ),
    # Drift, representativeness and anomalies
    "drift.columns": (
        "Per-column shift between the reference and evaluated data (PSI, Kolmogorov-Smirnov or "
        "chi-squared, Jensen-Shannon distance) and the share of drifted columns."
    ),
    "drift.prediction": (
        "Shift of the model's predictions or scores between reference and evaluated data."
    ),
    "drift.label": "Shift of the target's distribution between reference and evaluated data.",
    "drift.important_inputs": (
        "Each feature's drift weighted by its importance to the model (permutation importance "
        "in a surrogate of the model's outputs on the reference), with the top contributors."
    ),
    "drift.multivariate": (
        "Domain classifier: ROC AUC of a model trained to tell reference rows from evaluated "
        "rows (0.5 means the joint distributions cannot be told apart)."
    ),
    "drift.representativeness": (
        "Coverage of the training population by the evaluation set: share of frequent training "
        "categories present, and the row count of the smallest sensitive group."
    ),
    "anomaly.input_outliers": (
        "Isolation forest fitted on the reference inputs; share of evaluated rows it scores as "
        "outliers."
    ),
    "anomaly.confident_errors": (
        "Share of rows predicted wrongly with a high predicted probability for the wrong class."
    ),
    "anomaly.output_range": (
        "Share of predictions that are not plausible: NaN or infinite, probabilities outside "
        "[0, 1], regression outputs far outside the training target's range."
    ),
    "anomaly.residual_outliers": (
        "Share of regression residuals whose robust z-score (median absolute deviation) exceeds "
        "a cut-off."
    ),
    # Efficiency
    "efficiency.latency": (
        "Prediction latency percentiles (p50, p95, p99) in milliseconds for a given batch size, "
        "after warm-up, in the sandboxed prediction process."
    ),
    "efficiency.throughput": "Rows predicted per second in batches, in the sandboxed process.",
    "efficiency.memory": "Peak resident memory of the prediction process while predicting, in MB.",
    "efficiency.model_size": "Size of the model artifact on disk, in MB.",
}
