"""Templates for predictive performance, calibration and robustness."""

from typing import Any

PERFORMANCE_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "PERF-01",
        "name": "Classifier clearly beats the majority-class baseline",
        "category": "performance",
        "check_key": "performance.baseline_comparison",
        "metric": "balanced_accuracy_skill",
        "comparator": ">=",
        "threshold": 0.2,
        "severity": "critical",
        "blocking": True,
        "params": {"baseline": "most_frequent", "metric": "balanced_accuracy"},
        "rationale": (
            "A model that does not remove at least a fifth of the error of a majority-class "
            "predictor adds little value over answering the commonest class, whatever its "
            "accuracy looks like on imbalanced data. The skill score is relative, so this bar "
            "needs no project-specific number."
        ),
        "guidance": (
            "Compare the confusion matrix with the baseline's: a model that predicts mostly the "
            "majority class has learnt the class prior, not the task. Check that the target is "
            "joined to the right rows and that informative features reach the model. Use class "
            "weights or resampling for imbalanced targets, then revisit feature engineering and "
            "model capacity."
        ),
        "references": (
            "Murphy A. H. (1988), Skill scores based on the mean square error; scikit-learn "
            "DummyClassifier and balanced_accuracy_score documentation."
        ),
    },
    {
        "code": "PERF-02",
        "name": "Regressor clearly beats the median baseline",
        "category": "performance",
        "check_key": "performance.baseline_comparison",
        "metric": "mae_skill",
        "comparator": ">=",
        "threshold": 0.2,
        "severity": "critical",
        "blocking": True,
        "params": {"baseline": "median", "metric": "mae"},
        "rationale": (
            "The model's mean absolute error must be at least 20% lower than predicting the "
            "training median for every row; otherwise its predictions carry little information. "
            "Being relative, the bar holds whatever the target's unit."
        ),
        "guidance": (
            "Plot predictions against actual values: a flat cloud around the median means the "
            "features explain little of the target. Check the target's unit and any "
            "transformation (log, scaling) is undone before scoring, and that rows are not "
            "misaligned after joins. Then look at feature relevance and model capacity."
        ),
        "references": (
            "Murphy A. H. (1988), Skill scores based on the mean square error; scikit-learn "
            "DummyRegressor documentation."
        ),
    },
    {
        "code": "PERF-03",
        "name": "Binary classifier discriminates well (ROC AUC)",
        "category": "performance",
        "check_key": "performance.classification",
        "metric": "roc_auc",
        "comparator": ">=",
        "threshold": 0.75,
        "severity": "high",
        "blocking": False,
        "params": {"n_bootstrap": 1000, "confidence_level": 0.95},
        "rationale": (
            "ROC AUC between 0.7 and 0.8 is commonly read as acceptable discrimination and above "
            "0.8 as excellent. 0.75 is a generic starting point: set the number the project's "
            "business case needs before approving a plan."
        ),
        "guidance": (
            "Look at the ROC curve and at the weak-segment results to see where positives and "
            "negatives overlap. Check the model receives probabilities or scores, not hard "
            "labels, when it is evaluated. Improve features that separate the classes, tune "
            "regularisation, and compare with a gradient-boosted baseline."
        ),
        "references": (
            "Hosmer D. W., Lemeshow S. (2000), Applied Logistic Regression, 2nd ed., §5.2.4; "
            "scikit-learn roc_auc_score documentation."
        ),
    },
    {
        "code": "PERF-04",
        "name": "Macro F1 is sufficient across classes",
        "category": "performance",
        "check_key": "performance.classification",
        "metric": "f1_macro",
        "comparator": ">=",
        "threshold": 0.7,
        "severity": "high",
        "blocking": False,
        "params": {"n_bootstrap": 1000, "confidence_level": 0.95},
        "rationale": (
            "Macro-averaged F1 weighs every class equally, so rare classes count as much as "
            "frequent ones. 0.7 is a placeholder: the project must set the level its use case "
            "requires."
        ),
        "guidance": (
            "Read the per-class precision and recall to find the classes that drag the average "
            "down. Collect more labelled examples of those classes, use class weights, and check "
            "whether some classes are ambiguous and should be merged or relabelled."
        ),
        "references": "scikit-learn f1_score documentation (average='macro').",
    },
    {
        "code": "PERF-05",
        "name": "No class is left behind (minimum per-class recall)",
        "category": "performance",
        "check_key": "performance.classification",
        "metric": "min_class_recall",
        "comparator": ">=",
        "threshold": 0.5,
        "severity": "high",
        "blocking": False,
        "params": {"min_class_support": 30},
        "rationale": (
            "Averages can hide a class the model almost never predicts. Requiring every class "
            "with enough support to be recalled at least half the time catches that failure; "
            "raise the bar where missing a class is costly."
        ),
        "guidance": (
            "Find the class named in the result and inspect its confusion-matrix row: which "
            "classes absorb it? Add training examples for it, weight it in the loss, or adjust "
            "the decision threshold per class. If the class is inherently indistinguishable, "
            "document that and agree a lower bar with the quality manager."
        ),
        "references": "scikit-learn recall_score and classification_report documentation.",
    },
    {
        "code": "PERF-06",
        "name": "Regressor explains the target's variance (R²)",
        "category": "performance",
        "check_key": "performance.regression",
        "metric": "r2",
        "comparator": ">=",
        "threshold": 0.5,
        "severity": "medium",
        "blocking": False,
        "params": {"n_bootstrap": 1000, "confidence_level": 0.95},
        "rationale": (
            "R² measures the share of the target's variance the model explains. 0.5 is a "
            "generic placeholder: noisy targets may justify less, control tasks need much more. "
            "Set the project's number before approving a plan."
        ),
        "guidance": (
            "Plot residuals against predictions and against each important feature: structure "
            "left in the residuals points to missing features or non-linear effects. Check for "
            "outliers in the target that dominate the squared error, and consider a target "
            "transformation."
        ),
        "references": "scikit-learn r2_score documentation.",
    },
    {
        "code": "PERF-07",
        "name": "Performance estimate is precise enough",
        "category": "performance",
        "check_key": "performance.classification",
        "metric": "balanced_accuracy_ci_width",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "low",
        "blocking": False,
        "params": {"n_bootstrap": 1000, "confidence_level": 0.95},
        "rationale": (
            "A pass on a tiny evaluation set proves little: when the 95% bootstrap interval of "
            "balanced accuracy is wider than 10 points, the other performance verdicts are not "
            "reliable."
        ),
        "guidance": (
            "Enlarge the evaluation set, in particular for the rarest classes, or pool several "
            "held-out folds. Make sure evaluation rows were not dropped by filtering or failed "
            "joins before scoring."
        ),
        "references": "Efron B., Tibshirani R. (1993), An Introduction to the Bootstrap.",
    },
    {
        "code": "PERF-08",
        "name": "Performance estimated on unlabelled production data holds",
        "category": "performance",
        "check_key": "performance.estimated",
        "metric": "estimated_accuracy_drop",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "high",
        "blocking": False,
        "params": {"calibration": "auto", "confidence_level": 0.95},
        "rationale": (
            "Labels of production data arrive late. Confidence-based estimation reads the "
            "accuracy a batch will show from the model's probabilities, calibrated on the "
            "labelled reference; a drop of more than 5 points from the reference's realised "
            "accuracy, beyond the estimate's interval, is worth acting on before the labels "
            "confirm it. The check refuses to estimate when the probabilities cannot be "
            "calibrated, and says why."
        ),
        "guidance": (
            "Find where the batch moved (DRIFT-01, DRIFT-08): rows drifting towards the "
            "decision boundary are the usual cause. Collect labels for that region first and "
            "retrain; confirm with PERF-03 on the labelled batch. The estimate assumes the "
            "relation between inputs and labels is unchanged: a changed labelling policy or "
            "concept drift shows only in realised performance."
        ),
        "references": (
            "NannyML documentation, Confidence-based Performance Estimation (CBPE); Platt J. "
            "(1999), Probabilistic outputs for support vector machines; Zadrozny B., Elkan C. "
            "(2002), Transforming classifier scores into accurate multiclass probability "
            "estimates, KDD."
        ),
    },
    {
        "code": "CAL-01",
        "name": "Probabilities are well calibrated (ECE)",
        "category": "calibration",
        "check_key": "calibration.classification",
        "metric": "expected_calibration_error",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "medium",
        "blocking": False,
        "params": {"n_bins": 10, "strategy": "uniform"},
        "rationale": (
            "When downstream decisions read the predicted probability as a risk, a 70% score "
            "must come true about 70% of the time. An expected calibration error of at most 5 "
            "points is a common working bound."
        ),
        "guidance": (
            "Read the reliability diagram: bars below the diagonal mean over-confidence. Fit a "
            "calibrator (Platt scaling or isotonic regression, e.g. CalibratedClassifierCV) on "
            "held-out data, never on the training rows, and re-evaluate. Strong regularisation "
            "or class resampling often distorts probabilities; recalibrate after either."
        ),
        "references": (
            "Guo C. et al. (2017), On Calibration of Modern Neural Networks, ICML; Naeini M. P. "
            "et al. (2015), Obtaining Well Calibrated Probabilities Using Bayesian Binning, AAAI; "
            "scikit-learn 'Probability calibration' user guide."
        ),
    },
    {
        "code": "CAL-02",
        "name": "No probability range is badly miscalibrated (MCE)",
        "category": "calibration",
        "check_key": "calibration.classification",
        "metric": "max_calibration_error",
        "comparator": "<=",
        "threshold": 0.15,
        "severity": "low",
        "blocking": False,
        "params": {"n_bins": 10, "strategy": "uniform", "min_bin_count": 30},
        "rationale": (
            "The expected error can look fine while one probability range, often the high-risk "
            "one, is far off. Bins with fewer than 30 rows are ignored so noise does not fail "
            "the check; 0.15 is a working bound."
        ),
        "guidance": (
            "Find the bin named in the evidence and check which rows fall there. Isotonic "
            "calibration fixes local distortions that Platt scaling cannot, given enough data. "
            "If the bin is sparse, collect more examples in that score range."
        ),
        "references": (
            "Naeini M. P. et al. (2015), Obtaining Well Calibrated Probabilities Using Bayesian "
            "Binning, AAAI."
        ),
    },
    {
        "code": "CAL-03",
        "name": "Probabilities beat the base rate (Brier skill score)",
        "category": "calibration",
        "check_key": "calibration.classification",
        "metric": "brier_skill_score",
        "comparator": ">=",
        "threshold": 0.1,
        "severity": "low",
        "blocking": False,
        "params": {},
        "rationale": (
            "The Brier skill score compares the model's Brier score with always predicting the "
            "training base rate; below 0.1 the probabilities are barely more informative than "
            "the prior."
        ),
        "guidance": (
            "A low skill with a good ROC AUC points to poor calibration: recalibrate first. A "
            "low skill with a low ROC AUC means the model separates classes poorly: work on "
            "features and model choice."
        ),
        "references": (
            "Brier G. W. (1950), Verification of forecasts expressed in terms of probability; "
            "scikit-learn brier_score_loss documentation."
        ),
    },
    {
        "code": "ROB-01",
        "name": "Predictions are stable under small input noise",
        "category": "robustness",
        "check_key": "robustness.noise",
        "metric": "prediction_flip_rate",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "medium",
        "blocking": False,
        "params": {"noise_scale": 0.05, "categorical_swap_rate": 0.0, "repeats": 3, "seed": 0},
        "rationale": (
            "Noise of 5% of a column's standard deviation is within ordinary measurement error; "
            "if it changes more than 5% of predicted labels (or moves regression outputs beyond "
            "the tolerance), the model sits on fragile decision boundaries."
        ),
        "guidance": (
            "Look at which features the flipped rows are most sensitive to. Smooth the model "
            "(stronger regularisation, fewer or shallower trees, monotonic constraints where "
            "domain knowledge allows), or train with noise augmentation. Check that numeric "
            "features are scaled consistently between training and serving."
        ),
        "references": (
            "Goodfellow I. et al. (2015), Explaining and Harnessing Adversarial Examples; "
            "ISO/IEC TR 24029-1:2021, Assessment of the robustness of neural networks."
        ),
    },
    {
        "code": "ROB-02",
        "name": "Performance holds under moderate input noise",
        "category": "robustness",
        "check_key": "robustness.noise",
        "metric": "relative_metric_drop",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "medium",
        "blocking": False,
        "params": {"noise_scale": 0.1, "categorical_swap_rate": 0.02, "repeats": 3, "seed": 0},
        "rationale": (
            "With 10% noise on numeric features and 2% of categorical values swapped, the "
            "primary metric should lose at most 5% of its value; a larger loss means real-world "
            "data quality variations will show in production."
        ),
        "guidance": (
            "Compare the per-feature sensitivity in the evidence: a model leaning on one noisy "
            "sensor or free-text category is brittle. Add noise augmentation to training, "
            "reduce reliance on the most sensitive features, and validate input quality upstream."
        ),
        "references": "ISO/IEC TR 24029-1:2021, Assessment of the robustness of neural networks.",
    },
    {
        "code": "ROB-03",
        "name": "No single feature carries the model",
        "category": "robustness",
        "check_key": "robustness.ablation",
        "metric": "max_feature_metric_drop",
        "comparator": "<=",
        "threshold": 0.3,
        "severity": "medium",
        "blocking": False,
        "params": {"strategy": "permutation", "repeats": 5, "seed": 0},
        "rationale": (
            "If permuting one feature removes more than 30% of the primary metric, one input "
            "failing or changing meaning breaks the model. It is also a common sign of leakage."
        ),
        "guidance": (
            "Check first that the dominant feature is available, with the same meaning, at "
            "prediction time (see DQ-11). If it is legitimate, add fallbacks for when it is "
            "missing, monitor it closely, and consider features that carry overlapping signal."
        ),
        "references": (
            "Breiman L. (2001), Random Forests (permutation importance); scikit-learn "
            "permutation_importance documentation."
        ),
    },
    {
        "code": "ROB-04",
        "name": "Missing inputs do not break predictions",
        "category": "robustness",
        "check_key": "robustness.missing_inputs",
        "metric": "failure_rate",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "high",
        "blocking": False,
        "params": {"missing_rate": 0.1, "seed": 0},
        "rationale": (
            "Production data has gaps. With 10% of each feature blanked, the model must still "
            "return a finite prediction for every row rather than raise or answer NaN."
        ),
        "guidance": (
            "Put imputation inside the model pipeline (SimpleImputer or a model that handles "
            "NaN natively, like HistGradientBoosting) so serving and training treat gaps alike. "
            "Decide per feature whether a missing indicator is meaningful, and test the "
            "pipeline on a row of all-missing values."
        ),
        "references": "scikit-learn 'Imputation of missing values' user guide.",
    },
]
