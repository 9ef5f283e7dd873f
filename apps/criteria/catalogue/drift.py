"""Templates for distribution drift and the representativeness of the evaluation data."""

from typing import Any

DRIFT_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "DRIFT-01",
        "name": "No feature's distribution has shifted strongly (PSI)",
        "category": "drift",
        "check_key": "drift.columns",
        "metric": "psi",
        "comparator": "<=",
        "threshold": 0.2,
        "severity": "medium",
        "blocking": False,
        "params": {"bins": 10, "binning": "quantile", "columns": "features"},
        "rationale": (
            "The credit-scoring rule of thumb reads a population stability index below 0.1 as "
            "stable, 0.1 to 0.25 as a moderate shift and above 0.25 as major; 0.2 is a common "
            "alert level within the moderate band, evaluated per column against the reference."
        ),
        "guidance": (
            "Compare the two histograms in the evidence. Rule out pipeline changes first (new "
            "units, a changed default, a new source system); then decide whether the population "
            "really moved. A real shift on an important feature calls for retraining on recent "
            "data and for a check of the performance criteria on the new population."
        ),
        "references": (
            "Siddiqi N. (2006), Credit Risk Scorecards, Wiley; Yurdakul B. (2018), Statistical "
            "Properties of Population Stability Index, Western Michigan University."
        ),
    },
    {
        "code": "DRIFT-02",
        "name": "Most features keep their distribution",
        "category": "drift",
        "check_key": "drift.columns",
        "metric": "drifted_column_share",
        "comparator": "<=",
        "threshold": 0.3,
        "severity": "high",
        "blocking": False,
        "params": {"method": "auto", "alpha": 0.05, "psi_threshold": 0.2},
        "rationale": (
            "When many features drift at once, the whole population has changed and the model's "
            "training data no longer describes it. Evidently's dataset-drift preset flags half "
            "of the columns; this template is stricter at 30%."
        ),
        "guidance": (
            "A broad shift usually has one cause: a new data source, a new market, a seasonal "
            "change or a broken upstream transformation. Find it with the data owners before "
            "touching the model; if the change is real, retrain on data that reflects it and "
            "refresh the reference dataset."
        ),
        "references": (
            "Evidently AI documentation, 'Data drift' preset; Rabanser S. et al. (2019), "
            "Failing Loudly: An Empirical Study of Methods for Detecting Dataset Shift, NeurIPS."
        ),
    },
    {
        "code": "DRIFT-03",
        "name": "Prediction distribution is stable",
        "category": "drift",
        "check_key": "drift.prediction",
        "metric": "psi",
        "comparator": "<=",
        "threshold": 0.2,
        "severity": "medium",
        "blocking": False,
        "params": {"bins": 10, "binning": "quantile"},
        "rationale": (
            "A shift of the scores or predicted classes between reference and evaluated data is "
            "the first visible sign of drift when labels arrive late. Same PSI alert level as "
            "DRIFT-01."
        ),
        "guidance": (
            "Check whether the score shift is explained by feature drift (DRIFT-01) or appears "
            "alone, which points to a change in the model or its preprocessing. Compare the "
            "decision rate the business sees with the expected one before retraining."
        ),
        "references": "Siddiqi N. (2006), Credit Risk Scorecards (population stability index).",
    },
    {
        "code": "DRIFT-04",
        "name": "Label distribution is stable",
        "category": "drift",
        "check_key": "drift.label",
        "metric": "jensen_shannon_distance",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "medium",
        "blocking": False,
        "params": {"bins": 10},
        "rationale": (
            "When the target's distribution moves (prior shift), thresholds and calibration "
            "tuned on the old rates go wrong. 0.1 is Evidently's default Jensen-Shannon "
            "distance threshold for large samples."
        ),
        "guidance": (
            "Compare class rates (or target histograms) between the two datasets. A changed base "
            "rate with stable features calls for recalibration or threshold adjustment; a "
            "changed labelling policy calls for relabelling the training data."
        ),
        "references": (
            "Lipton Z. et al. (2018), Detecting and Correcting for Label Shift with Black Box "
            "Predictors, ICML; Evidently AI documentation, drift detection methods."
        ),
    },
    {
        "code": "DRIFT-05",
        "name": "Evaluated data cannot be told apart from the reference",
        "category": "drift",
        "check_key": "drift.multivariate",
        "metric": "domain_classifier_auc",
        "comparator": "<=",
        "threshold": 0.6,
        "severity": "medium",
        "blocking": False,
        "params": {"cv_folds": 5, "max_rows": 20000, "seed": 0},
        "rationale": (
            "A classifier trained to distinguish reference rows from evaluated rows detects "
            "joint shifts that per-column tests miss; an ROC AUC of 0.5 means no detectable "
            "difference. 0.6 is a working bound that tolerates sampling noise."
        ),
        "guidance": (
            "Read the domain classifier's most important features in the evidence: they are "
            "where the datasets differ. An id, timestamp or sequence column there is harmless "
            "and should be excluded; otherwise treat it as drift (see DRIFT-02)."
        ),
        "references": (
            "Rabanser S. et al. (2019), Failing Loudly: An Empirical Study of Methods for "
            "Detecting Dataset Shift, NeurIPS."
        ),
    },
    {
        "code": "DRIFT-06",
        "name": "Evaluation set covers the training population's categories",
        "category": "drift",
        "check_key": "drift.representativeness",
        "metric": "category_coverage",
        "comparator": ">=",
        "threshold": 0.95,
        "severity": "medium",
        "blocking": False,
        "params": {"min_category_share": 0.01},
        "rationale": (
            "An evaluation set that lacks categories the model serves cannot vouch for them. At "
            "least 95% of the categories that make up 1% or more of the training data should "
            "appear in evaluation."
        ),
        "guidance": (
            "List the missing categories in the evidence and check how the evaluation sample "
            "was drawn: a date filter or a single-region export is the usual cause. Use a "
            "stratified sample over the key categories when building the evaluation set."
        ),
        "references": (
            "ISO/IEC 25012:2008, Data quality model (completeness, representativeness); "
            "scikit-learn train_test_split(stratify=...) documentation."
        ),
    },
    {
        "code": "DRIFT-07",
        "name": "Every sensitive group is large enough to assess",
        "category": "drift",
        "check_key": "drift.representativeness",
        "metric": "smallest_group_rows",
        "comparator": ">=",
        "threshold": 30.0,
        "severity": "medium",
        "blocking": False,
        "params": {"columns": "sensitive"},
        "rationale": (
            "Fairness and per-group metrics on fewer than about 30 rows are too noisy to "
            "support a verdict, and the fairness checks skip such groups. This criterion makes "
            "the gap visible instead of letting it pass silently."
        ),
        "guidance": (
            "Oversample the small group when drawing the evaluation set, or pool evaluation data "
            "over a longer period. If the group is genuinely rare, merge it with a related group "
            "only with the quality manager's agreement, and record the decision."
        ),
        "references": (
            "NIST SP 1270 (2022), Towards a Standard for Identifying and Managing Bias in "
            "Artificial Intelligence."
        ),
    },
    {
        "code": "DRIFT-08",
        "name": "The inputs the model relies on keep their distribution",
        "category": "drift",
        "check_key": "drift.important_inputs",
        "metric": "importance_weighted_drift",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "medium",
        "blocking": False,
        "params": {"alpha": 0.05},
        "rationale": (
            "A drifting feature the model ignores is harmless, a small shift of the one it "
            "relies on is not. Each feature's drift effect size (normed Wasserstein or "
            "Jensen-Shannon distance) weighted by its share of the model's importance stays "
            "below 0.1, the same bar as one feature's effect size in DRIFT-01, and fails only "
            "when an important feature's shift is statistically significant."
        ),
        "guidance": (
            "Start with the top contributors in the evidence. Rule out a pipeline change "
            "(units, defaults, a new source) first; if the population really moved, estimate "
            "the impact on performance (PERF-08) and retrain on recent data."
        ),
        "references": (
            "Breiman L. (2001), Random Forests (permutation importance); Rabanser S. et al. "
            "(2019), Failing Loudly: An Empirical Study of Methods for Detecting Dataset Shift, "
            "NeurIPS."
        ),
    },
]
