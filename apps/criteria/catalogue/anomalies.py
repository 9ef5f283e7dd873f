"""Templates for anomalies in inputs, outputs and errors."""

from typing import Any

ANOMALY_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "ANOM-01",
        "name": "No more outlying inputs than in the reference",
        "category": "anomaly",
        "check_key": "anomaly.input_outliers",
        "metric": "excess_outlier_share",
        "comparator": "<=",
        "threshold": 0.0025,
        "severity": "medium",
        "blocking": False,
        "params": {"method": "isolation_forest", "contamination": 0.01, "alpha": 0.01, "seed": 0},
        "rationale": (
            "Healthy data hold outliers too: the isolation forest's cutoff is set so that 1% "
            "of held-out reference rows fall beyond it. What matters is how many more of the "
            "evaluated rows do. The criterion fails when that excess is significant (Fisher's "
            "exact test, p below 0.01) and above a quarter of a percentage point, a quarter "
            "more than healthy data give: a share of 1.5% where the reference shows 1% is "
            "found, however far below an absolute bound it stays, while a significant but "
            "negligible excess on a very large dataset is not."
        ),
        "guidance": (
            "Compare the outlier share with the reference's in the evidence, then open the "
            "flagged rows (most isolated first) and look for what the extra ones share: a data "
            "entry error, a new kind of case, or a broken feature. Reject or repair erroneous "
            "rows at ingestion; "
            "for new kinds of cases, gather examples and retrain, and consider routing outliers "
            "to a human in production."
        ),
        "references": (
            "Liu F. T., Ting K. M., Zhou Z.-H. (2008), Isolation Forest, ICDM; scikit-learn "
            "IsolationForest documentation."
        ),
    },
    {
        "code": "ANOM-02",
        "name": "No more confident errors than the model's confidence allows",
        "category": "anomaly",
        "check_key": "anomaly.confident_errors",
        "metric": "excess_confident_error_share",
        "comparator": "<=",
        "threshold": 0.005,
        "severity": "medium",
        "blocking": False,
        "params": {"confidence": 0.9, "alpha": 0.01},
        "rationale": (
            "Rows the model gets wrong with 90% confidence or more are either mislabelled or "
            "blind spots where the model is sure and wrong, the most harmful kind of error. "
            "Even a well-calibrated model makes some: one in ten at 90%. The criterion "
            "counts only those beyond what its own probabilities predict, failing when they "
            "are significantly more (Poisson test, p below 0.01) and exceed half a percent of "
            "the rows."
        ),
        "guidance": (
            "The evidence gives how many confident errors a calibrated model would make; review "
            "a sample of the flagged rows with a domain expert: correct labels that are "
            "wrong (cleanlab can rank candidates), and for genuine errors find the feature "
            "pattern they share. Over-confidence across the board points to calibration "
            "(CAL-01)."
        ),
        "references": (
            "Northcutt C. et al. (2021), Confident Learning: Estimating Uncertainty in Dataset "
            "Labels, JAIR; cleanlab documentation."
        ),
    },
    {
        "code": "ANOM-03",
        "name": "Predictions are finite and within a plausible range",
        "category": "anomaly",
        "check_key": "anomaly.output_range",
        "metric": "out_of_range_prediction_share",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "high",
        "blocking": True,
        "params": {"range_tolerance": 0.1},
        "rationale": (
            "No prediction may be NaN or infinite, no probability outside [0, 1], and no "
            "regression output beyond the training target's range widened by 10% of its span: "
            "such outputs break consumers or reveal a fault."
        ),
        "guidance": (
            "Reproduce a flagged row locally and trace it through preprocessing: division by "
            "zero, log of a non-positive value or an unscaled feature are the usual causes. "
            "Guard the transformation, and clip outputs to the valid range only once the cause "
            "is understood."
        ),
        "references": "ISO/IEC 25059:2023, Quality model for AI systems (functional correctness).",
    },
    {
        "code": "ANOM-04",
        "name": "Few extreme regression errors",
        "category": "anomaly",
        "check_key": "anomaly.residual_outliers",
        "metric": "residual_outlier_share",
        "comparator": "<=",
        "threshold": 0.02,
        "severity": "low",
        "blocking": False,
        "params": {"z_cutoff": 3.5},
        "rationale": (
            "Residuals with a modified z-score above 3.5 are outliers by Iglewicz and Hoaglin's "
            "rule; for well-behaved errors they are a fraction of a percent. More than 2% means "
            "the model fails badly on a group of cases."
        ),
        "guidance": (
            "Sort the flagged rows by residual and look for what they share: a range of the "
            "target the model never reaches, a rare category, or wrong labels. Consider a "
            "robust loss (Huber), a target transformation, or more data for those cases."
        ),
        "references": (
            "Iglewicz B., Hoaglin D. C. (1993), How to Detect and Handle Outliers, ASQC Quality "
            "Press."
        ),
    },
]
