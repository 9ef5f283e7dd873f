"""Templates for fairness between sensitive groups and for weak segments."""

from typing import Any

# SEG-01 and SEG-02 search the same slices with the same parameters, so a run searches once.
_SLICE_SEARCH = {"min_slice_size": 50, "max_features": 2, "n_bins": 5, "alpha": 0.05, "gap": 0.1,
                 "max_results": 10, "overlap": 0.8}  # fmt: skip

FAIRNESS_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "FAIR-01",
        "name": "Selection rates satisfy the four-fifths rule",
        "category": "fairness",
        "check_key": "fairness.classification",
        "metric": "demographic_parity_ratio",
        "comparator": ">=",
        "threshold": 0.8,
        "severity": "high",
        "blocking": True,
        "params": {"min_group_size": 30, "positive_label": "auto"},
        "rationale": (
            "The four-fifths rule of the US Uniform Guidelines treats a selection rate for any "
            "group below 80% of the highest group's rate as evidence of adverse impact. Groups "
            "smaller than 30 rows are reported but not scored."
        ),
        "guidance": (
            "Read the per-group selection rates in the evidence and check whether the gap "
            "exists in the labels themselves (historical bias) or only in predictions. Remove "
            "proxies of the sensitive attribute, rebalance or reweight the training data, or "
            "apply a post-processing threshold per group (fairlearn ThresholdOptimizer) where "
            "the law and the use case allow it. Record the decision with the quality manager."
        ),
        "references": (
            "US EEOC Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR 1607.4(D); "
            "fairlearn demographic_parity_ratio documentation."
        ),
    },
    {
        "code": "FAIR-02",
        "name": "Error rates are similar across groups (equalized odds)",
        "category": "fairness",
        "check_key": "fairness.classification",
        "metric": "equalized_odds_difference",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "high",
        "blocking": False,
        "params": {"min_group_size": 30, "positive_label": "auto"},
        "rationale": (
            "Equalized odds asks that true and false positive rates match across groups; the "
            "difference is the larger of the two gaps. 0.1 is a widely used working bound, not "
            "a legal standard; tighten it for high-stakes decisions."
        ),
        "guidance": (
            "Check which rate differs (TPR or FPR) and for which group. Collect more labelled "
            "data for the disadvantaged group, check label quality there, and consider "
            "fairness-constrained training (fairlearn ExponentiatedGradient with EqualizedOdds) "
            "or group-aware post-processing."
        ),
        "references": (
            "Hardt M., Price E., Srebro N. (2016), Equality of Opportunity in Supervised "
            "Learning, NeurIPS; fairlearn equalized_odds_difference documentation."
        ),
    },
    {
        "code": "FAIR-03",
        "name": "Qualified members of every group are recognised (equal opportunity)",
        "category": "fairness",
        "check_key": "fairness.classification",
        "metric": "true_positive_rate_ratio",
        "comparator": ">=",
        "threshold": 0.8,
        "severity": "high",
        "blocking": False,
        "params": {"min_group_size": 30, "positive_label": "auto"},
        "rationale": (
            "Where the positive outcome is a benefit, each group's true positive rate should be "
            "at least four fifths of the best group's, mirroring the four-fifths rule on the "
            "rows that deserve the benefit."
        ),
        "guidance": (
            "Inspect the false negatives of the worst group: which features differ from the "
            "group that is served well? Features measured less reliably for one group are a "
            "frequent cause. Improve their coverage, reweight training, or adjust thresholds "
            "per group where permitted."
        ),
        "references": (
            "Hardt M., Price E., Srebro N. (2016), Equality of Opportunity in Supervised "
            "Learning, NeurIPS; fairlearn MetricFrame documentation."
        ),
    },
    {
        "code": "FAIR-04",
        "name": "Balanced accuracy is similar across groups",
        "category": "fairness",
        "check_key": "fairness.classification",
        "metric": "balanced_accuracy_difference",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "medium",
        "blocking": False,
        "params": {"min_group_size": 30, "positive_label": "auto"},
        "rationale": (
            "Quality of service: the model should be about as accurate for every group. A gap "
            "above 5 points between the best and worst group is worth a documented explanation."
        ),
        "guidance": (
            "Compare the group's share of the training data with its share of the population; "
            "under-represented groups are usually served worse. Add data, reweight, or train "
            "with group-aware validation, and check the group's labels for noise."
        ),
        "references": (
            "Bird S. et al. (2020), Fairlearn: A toolkit for assessing and improving fairness in "
            "AI, Microsoft Research MSR-TR-2020-32."
        ),
    },
    {
        "code": "FAIR-05",
        "name": "Regression error is similar across groups",
        "category": "fairness",
        "check_key": "fairness.regression",
        "metric": "mae_ratio",
        "comparator": "<=",
        "threshold": 1.25,
        "severity": "medium",
        "blocking": False,
        "params": {"min_group_size": 30},
        "rationale": (
            "The worst group's mean absolute error should be at most 25% above the best group's "
            "(the inverse of four fifths). Larger gaps mean some groups receive systematically "
            "worse estimates."
        ),
        "guidance": (
            "Plot residuals per group: a shifted mean residual means bias (systematic over- or "
            "under-estimation), a wider spread means noise. Add features that explain the "
            "group's variation, reweight, or fit the residual bias explicitly."
        ),
        "references": "fairlearn MetricFrame documentation (mean_absolute_error by group).",
    },
    {
        "code": "SEG-01",
        "name": "No data slice performs far below the whole set",
        "category": "weak_segment",
        "check_key": "weak_segments.discovery",
        "metric": "slice_metric_gap",
        "comparator": "<=",
        "threshold": 0.1,
        "severity": "medium",
        "blocking": False,
        "params": {**_SLICE_SEARCH},
        "rationale": (
            "Aggregate metrics hide slices (for example 'age > 60 and channel = phone') where the "
            "model is much worse. A slice of at least 50 rows whose primary metric is "
            "significantly more than 10 points below the whole set's deserves attention. Each "
            "distinct weak slice is its own finding (up to 10 a run), fixed and verified on its "
            "own; a slice mostly inside a weaker one is the same problem and is left out."
        ),
        "guidance": (
            "Open the slice's flagged rows and read its misclassified ones. Typical causes are "
            "too few training examples of the slice, a feature that behaves differently there, "
            "or label noise. Add data for the slice, engineer a feature that captures it, or "
            "document it as a known limitation and route such cases to a human. A run on a "
            "newer model version that no longer finds the slice weak verifies the finding."
        ),
        "references": (
            "Chung Y. et al. (2019), Slice Finder: Automated Data Slicing for Model Validation, "
            "ICDE; Eyuboglu S. et al. (2022), Domino: Discovering Systematic Errors with "
            "Cross-Modal Embeddings, ICLR."
        ),
    },
    {
        "code": "SEG-02",
        "name": "Few rows fall in weak slices",
        "category": "weak_segment",
        "check_key": "weak_segments.discovery",
        "metric": "weak_slice_row_share",
        "comparator": "<=",
        "threshold": 0.05,
        "severity": "low",
        "blocking": False,
        "params": {**_SLICE_SEARCH},
        "rationale": (
            "Weak slices matter in proportion to the traffic they carry: when more than 5% of "
            "rows sit in slices 10 points worse than average, users will notice."
        ),
        "guidance": (
            "Rank the weak slices by size and fix the largest first: collect or relabel data for "
            "it, or add features that describe it. Re-run the check to confirm the share falls."
        ),
        "references": (
            "Chung Y. et al. (2019), Slice Finder: Automated Data Slicing for Model Validation, "
            "ICDE."
        ),
    },
]
