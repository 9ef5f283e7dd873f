"""Templates for data quality: schema, completeness, consistency, labels and leakage."""

from typing import Any

DATA_QUALITY_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "DQ-01",
        "name": "Dataset matches the model's expected schema",
        "category": "data_quality",
        "check_key": "data_quality.schema",
        "metric": "schema_mismatch_count",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "critical",
        "blocking": True,
        "params": {"allow_extra_columns": True},
        "rationale": (
            "Every feature the model expects must be present with a compatible type; a missing "
            "or retyped column either fails predictions or silently feeds garbage."
        ),
        "guidance": (
            "Read the mismatched columns in the evidence. Align the export that produces the "
            "dataset with the feature list stored with the model version, fix renamed columns "
            "at the source rather than in the model, and cast types explicitly (dates, "
            "categorical codes stored as numbers) in one shared preprocessing step."
        ),
        "references": (
            "Breck E. et al. (2019), Data Validation for Machine Learning, SysML; TensorFlow "
            "Data Validation guide (schema-based validation)."
        ),
    },
    {
        "code": "DQ-02",
        "name": "Feature columns are no less complete than in the reference",
        "category": "data_quality",
        "check_key": "data_quality.missing_values",
        "metric": "excess_missing_rate",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "medium",
        "blocking": False,
        "params": {"columns": "features", "alpha": 0.01},
        "rationale": (
            "Some columns are often empty in healthy data too (optional fields); what "
            "signals a broken pipeline is a column emptier than it was. Each feature's "
            "missing rate is compared with the same column in the reference (or training) "
            "data, and fails when it is more than one percentage point higher and the "
            "difference is significant (Fisher's exact test, Benjamini-Hochberg-adjusted over "
            "the columns, below 0.01). A point is the floor because simple imputation absorbs "
            "smaller changes. Without a reference column the rate is compared with 5%, the "
            "share commonly treated as manageable, and the result says so."
        ),
        "guidance": (
            "Compare the column's rate with the reference's in the evidence: a column that "
            "empties suddenly is usually a failed join or a renamed source field. Find out why "
            "the values are missing and whether missingness depends on the target. Fix the "
            "pipeline if values "
            "are lost; otherwise impute inside the model pipeline and add a missing indicator "
            "when absence itself carries information."
        ),
        "references": (
            "Little R. J. A., Rubin D. B. (2019), Statistical Analysis with Missing Data, 3rd "
            "ed.; scikit-learn 'Imputation of missing values' user guide."
        ),
    },
    {
        "code": "DQ-03",
        "name": "Every row has a label",
        "category": "data_quality",
        "check_key": "data_quality.missing_values",
        "metric": "target_missing_rate",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "high",
        "blocking": False,
        "params": {"columns": "target"},
        "rationale": (
            "Unlabelled rows are dropped from evaluation, silently shrinking and possibly "
            "biasing it (labels are often missing for a reason, like cases still pending)."
        ),
        "guidance": (
            "Check why labels are missing: pending outcomes should be excluded explicitly with "
            "a documented cut-off date, not left blank. Fix the labelling pipeline or filter the "
            "rows at export and record the filter in the dataset notes."
        ),
        "references": (
            "Little R. J. A., Rubin D. B. (2019), Statistical Analysis with Missing Data."
        ),
    },
    {
        "code": "DQ-04",
        "name": "No more duplicated rows than in the reference",
        "category": "data_quality",
        "check_key": "data_quality.duplicates",
        "metric": "excess_duplicate_row_share",
        "comparator": "<=",
        "threshold": 0.005,
        "severity": "low",
        "blocking": False,
        "params": {"include_target": True, "alpha": 0.01},
        "rationale": (
            "Data with few distinct values repeat rows honestly, and the more rows, the more "
            "repeats. Duplicates are counted in the evaluation and the reference (or "
            "training) data at the same number of rows; more of them, by half a percent of "
            "the rows and significantly (Fisher's exact test, below 0.01), usually means a "
            "join or export fanned rows out, over-weighting some cases in training and in "
            "the metrics. Without either dataset the share is compared with 1%, and the "
            "result says so."
        ),
        "guidance": (
            "Compare the duplicates with the reference's at the same number of rows in the "
            "evidence. Look for a one-to-many join in the export query and deduplicate on the "
            "business "
            "key, not on all columns. If duplicates are genuine (identical events), keep them "
            "but make sure they do not straddle the train/evaluation split (see DQ-12)."
        ),
        "references": "pandas DataFrame.duplicated documentation.",
    },
    {
        "code": "DQ-05",
        "name": "No constant or near-constant columns",
        "category": "data_quality",
        "check_key": "data_quality.constant_columns",
        "metric": "near_constant_column_count",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "low",
        "blocking": False,
        "params": {"dominant_share": 0.99},
        "rationale": (
            "A column whose single value covers 99% of rows carries almost no information and "
            "often reveals a broken source (a default value written everywhere)."
        ),
        "guidance": (
            "Check the source of the column: a field that became constant recently usually "
            "means an upstream change. Drop genuinely uninformative columns from the feature "
            "list (VarianceThreshold can do it in the pipeline) or repair the source."
        ),
        "references": "scikit-learn VarianceThreshold documentation.",
    },
    {
        "code": "DQ-06",
        "name": "Columns hold one type of value",
        "category": "data_quality",
        "check_key": "data_quality.mixed_types",
        "metric": "mixed_type_column_count",
        "comparator": "<=",
        "threshold": 0.0,
        "severity": "medium",
        "blocking": False,
        "params": {"min_share": 0.01},
        "rationale": (
            "A column mixing numbers and text (for example '12', 12 and 'n/a') is parsed "
            "differently by each tool and usually encodes missing values or errors as text."
        ),
        "guidance": (
            "List the minority values in the evidence; they are usually placeholders ('n/a', "
            "'-', '?') or unit suffixes. Map placeholders to missing values and parse the column "
            "with an explicit type at ingestion."
        ),
        "references": "pandas 'Working with missing data' and to_numeric documentation.",
    },
    {
        "code": "DQ-07",
        "name": "Numeric values stay within the training range",
        "category": "data_quality",
        "check_key": "data_quality.out_of_range",
        "metric": "excess_out_of_range_share",
        "comparator": "<=",
        "threshold": 0.005,
        "severity": "medium",
        "blocking": False,
        "params": {"tolerance": 0.0, "reference": "train"},
        "rationale": (
            "Models extrapolate poorly: tree ensembles flatten and linear models grow without "
            "bound outside the values they were trained on. A new value from the training "
            "distribution itself lands outside the range of n training values with chance "
            "2/(n+1), so the criterion judges the share beyond that: half a percent of a "
            "column more, significant by a binomial test adjusted over the columns "
            "(Benjamini-Hochberg, below 0.05), calls for a look."
        ),
        "guidance": (
            "Check whether the out-of-range values are errors (unit changes, sentinel values "
            "like -1 or 9999) or a real widening of the population. Fix errors at the source; "
            "for a genuine change, add such cases to the training data and retrain."
        ),
        "references": (
            "Breck E. et al. (2019), Data Validation for Machine Learning, SysML; Great "
            "Expectations expect_column_values_to_be_between documentation."
        ),
    },
    {
        "code": "DQ-08",
        "name": "Categorical values were seen in training",
        "category": "data_quality",
        "check_key": "data_quality.unseen_categories",
        "metric": "unseen_category_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "medium",
        "blocking": False,
        "params": {"reference": "train"},
        "rationale": (
            "An encoder maps unseen categories to nothing or to an error; above 1% of rows, "
            "predictions for those rows rest on a default the model never learned."
        ),
        "guidance": (
            "Read the unseen values: spelling variants and case differences should be "
            "normalised before encoding; new legitimate categories call for retraining. Set "
            "OneHotEncoder(handle_unknown='infrequent_if_exist') or an equivalent so serving "
            "never fails on them."
        ),
        "references": "scikit-learn OneHotEncoder documentation (handle_unknown).",
    },
    {
        "code": "DQ-09",
        "name": "Target is not extremely imbalanced",
        "category": "data_quality",
        "check_key": "data_quality.class_imbalance",
        "metric": "minority_class_share",
        "comparator": ">=",
        "threshold": 0.01,
        "severity": "low",
        "blocking": False,
        "params": {},
        "rationale": (
            "Below 1% of rows the minority class is 'extremely' imbalanced in Google's "
            "guidance: accuracy becomes meaningless and the model sees too few positives. This "
            "is advisory; the right reaction depends on the task."
        ),
        "guidance": (
            "Report balanced metrics (balanced accuracy, PR AUC) rather than accuracy. Use class "
            "weights or resampling of the training set only (never the evaluation set), and "
            "consider collecting more minority examples."
        ),
        "references": (
            "Google Machine Learning Crash Course, 'Imbalanced datasets'; imbalanced-learn user "
            "guide."
        ),
    },
    {
        "code": "DQ-10",
        "name": "Identical inputs do not carry conflicting labels",
        "category": "data_quality",
        "check_key": "data_quality.label_conflicts",
        "metric": "excess_conflicting_label_share",
        "comparator": "<=",
        "threshold": 0.001,
        "severity": "medium",
        "blocking": False,
        "params": {"min_groups": 3, "alpha": 0.01},
        "rationale": (
            "Rows with the same features and different labels cap the achievable accuracy and "
            "usually point to labelling errors or to a missing feature that separates them. "
            "When a feature is continuous, two honest rows almost never match on it: "
            "identical rows are copies, and from three conflicting groups and a tenth of a "
            "percent of the rows the conflicts are labelling errors. When every feature is "
            "discrete, identical rows are common and honest conflicts too; only conflicts "
            "significantly beyond what the label rates give by chance (p below 0.01), by a "
            "tenth of a percent of the rows, count."
        ),
        "guidance": (
            "The result says whether the rows were judged as copies (a continuous feature "
            "among them) or against chance (every feature discrete). Inspect a few conflicting "
            "groups: copies with different labels are usually a join that attached the wrong "
            "outcome or annotators who disagree, so adjudicate them; if the labels are both "
            "right, some distinguishing information is missing from the features. Add it or "
            "accept the noise and document it."
        ),
        "references": (
            "Northcutt C. et al. (2021), Confident Learning: Estimating Uncertainty in Dataset "
            "Labels, JAIR."
        ),
    },
    {
        "code": "DQ-11",
        "name": "No feature leaks the target",
        "category": "data_quality",
        "check_key": "data_quality.target_leakage",
        "metric": "predictive_power",  # per feature: each leaking one is its own finding
        "comparator": "<=",
        "threshold": 0.9,
        "severity": "high",
        "blocking": False,
        "params": {"cv_folds": 4, "max_rows": 20000, "seed": 0},
        "rationale": (
            "A single feature that predicts the target almost perfectly on its own is more "
            "often information from the future (a status set after the outcome, an id encoding "
            "the label) than a genuine signal, and it inflates every other metric."
        ),
        "guidance": (
            "For the feature named in the result, establish when its value is known relative to "
            "the prediction moment. If it is filled in after the outcome, remove it and retrain; "
            "if it is legitimately that predictive, document why so reviewers do not flag it "
            "again."
        ),
        "references": (
            "Kaufman S. et al. (2012), Leakage in Data Mining: Formulation, Detection, and "
            "Avoidance, ACM TKDD; Wetschoreck F., ppscore (Predictive Power Score) documentation."
        ),
    },
    {
        "code": "DQ-12",
        "name": "Evaluation rows are not in the training set",
        "category": "data_quality",
        "check_key": "data_quality.train_eval_overlap",
        "metric": "overlap_share",
        "comparator": "<=",
        "threshold": 0.01,
        "severity": "high",
        "blocking": True,
        "params": {"match_on": "features"},
        "rationale": (
            "Evaluation rows the model saw in training measure memory, not generalisation. "
            "Beyond 1% (allowing for genuinely identical cases) the metrics are optimistic."
        ),
        "guidance": (
            "Split by a business key (customer, patient, device) or by time rather than by row, "
            "so related rows land on the same side; GroupShuffleSplit or TimeSeriesSplit do "
            "this. Deduplicate before splitting, then rebuild both datasets and retrain."
        ),
        "references": (
            "Kapoor S., Narayanan A. (2023), Leakage and the reproducibility crisis in machine-"
            "learning-based science, Patterns; scikit-learn GroupShuffleSplit documentation."
        ),
    },
]
