"""Predictive performance on the evaluation set, with bootstrap confidence intervals."""

import numpy as np
from sklearn import metrics as sk

from apps.evaluations.engine import weighted_metrics as wm
from apps.evaluations.engine.checks.inputs import labelled_outputs
from apps.evaluations.engine.registry import (
    CLASSIFICATION,
    Check,
    CheckDocs,
    Measurement,
    integer,
    number,
    register,
    schema,
)
from apps.evaluations.engine.stats import BootstrapSettings, bootstrap

BOOTSTRAP_PARAMS = {
    "n_bootstrap": integer(1000, minimum=0, maximum=100_000),
    "confidence_level": number(0.95, minimum=0.5, maximum=0.999),
    "seed": integer(0),
}


def bootstrap_settings(context, params) -> BootstrapSettings:
    return BootstrapSettings(
        resamples=params["n_bootstrap"],
        level=params["confidence_level"],
        max_rows=context.settings.bootstrap_max_rows,
        seed=params["seed"],
    )


def classification_point(outputs, n_classes: int, positive: int | None, min_support: int):
    """scikit-learn's metrics for labelled outputs (labels encoded as class positions)."""
    y, p = outputs.true_index, outputs.predicted_index
    values = {
        "accuracy": sk.accuracy_score(y, p),
        "balanced_accuracy": sk.balanced_accuracy_score(y, p),
        "mcc": sk.matthews_corrcoef(y, p),
    }
    for average in ("macro", "weighted"):
        precision, recall, f1, _ = sk.precision_recall_fscore_support(
            y, p, average=average, zero_division=0
        )
        values.update(
            {f"precision_{average}": precision, f"recall_{average}": recall, f"f1_{average}": f1}
        )
    if positive is not None:
        precision, recall, f1, _ = sk.precision_recall_fscore_support(
            y, p, average="binary", pos_label=positive, zero_division=0
        )
        values.update({"precision": precision, "recall": recall, "f1": f1})
    support = np.bincount(y, minlength=n_classes)
    recall_per_class = sk.recall_score(
        y, p, labels=np.arange(n_classes), average=None, zero_division=0
    )
    eligible = support >= min_support
    values["min_class_recall"] = float(recall_per_class[eligible].min()) if eligible.any() else None
    probabilities = outputs.probabilities
    if probabilities is not None and len(np.unique(y)) > 1:
        if positive is not None:
            values["roc_auc"] = sk.roc_auc_score(y == positive, probabilities[:, positive])
            values["pr_auc"] = sk.average_precision_score(y == positive, probabilities[:, positive])
        elif len(np.unique(y)) == n_classes:
            values["roc_auc"] = sk.roc_auc_score(
                y, probabilities, multi_class="ovr", labels=np.arange(n_classes)
            )
            onehot = np.eye(n_classes)[y]
            values["pr_auc"] = sk.average_precision_score(onehot, probabilities, average="macro")
        values["log_loss"] = sk.log_loss(y, probabilities, labels=np.arange(n_classes))
    return {name: (None if value is None else float(value)) for name, value in values.items()}


def present_classes(outputs, positive, eligible):
    """Class positions remapped to the classes present in truth or predictions, as
    scikit-learn's averages use them: (true, predicted, positive, eligible, count)."""
    present = np.unique(np.concatenate([outputs.true_index, outputs.predicted_index]))
    remap = np.full(max(present.max() + 1, 1), -1)
    remap[present] = np.arange(len(present))
    mapped_positive = None
    if positive is not None:
        mapped_positive = int(remap[positive]) if positive < len(remap) else -1
    return (
        remap[outputs.true_index],
        remap[outputs.predicted_index],
        mapped_positive,
        remap[eligible],
        len(present),
    )


def classification_resampled(positive, n_classes, present, with_probabilities):
    """The bootstrap's compute function for the classification metrics."""
    present_positive, present_eligible, n_present = present

    def compute(
        counts, true_index, predicted_index, true_present, predicted_present, probabilities
    ):
        matrices = wm.confusion_matrices(counts, true_present, predicted_present, n_present)
        if present_positive is not None and present_positive < 0:
            values = wm.confusion_metrics(matrices, None, present_eligible)
        else:
            values = wm.confusion_metrics(matrices, present_positive, present_eligible)
        if with_probabilities:
            if positive is not None:
                scores, hits = probabilities[:, positive], true_index == positive
                values["roc_auc"] = wm.roc_auc(counts, scores, hits)
                values["pr_auc"] = wm.average_precision(counts, scores, hits)
            else:
                values["roc_auc"] = wm.macro_one_vs_rest(
                    wm.roc_auc, counts, probabilities, true_index
                )
                values["pr_auc"] = wm.macro_one_vs_rest(
                    wm.average_precision, counts, probabilities, true_index
                )
            values["log_loss"] = wm.weighted_mean(
                counts, wm.log_loss_per_row(probabilities, true_index)
            )
        return values

    return compute


@register
class ClassificationPerformance(Check):
    key = "performance.classification"
    category = "performance"
    task_types = CLASSIFICATION
    params_schema = schema(**BOOTSTRAP_PARAMS, min_class_support=integer(30, minimum=1))
    metrics = {
        "accuracy": "Share of rows predicted correctly.",
        "balanced_accuracy": "Mean recall over the classes present.",
        "precision": "Binary: precision of the positive class.",
        "recall": "Binary: recall of the positive class.",
        "f1": "Binary: F1 of the positive class.",
        "precision_macro": "Unweighted mean of per-class precision.",
        "recall_macro": "Unweighted mean of per-class recall.",
        "f1_macro": "Unweighted mean of per-class F1.",
        "precision_weighted": "Support-weighted mean of per-class precision.",
        "recall_weighted": "Support-weighted mean of per-class recall.",
        "f1_weighted": "Support-weighted mean of per-class F1.",
        "roc_auc": "Area under the ROC curve (multiclass: one-vs-rest, macro).",
        "pr_auc": "Average precision (multiclass: one-vs-rest, macro).",
        "log_loss": "Mean negative log-likelihood of the true class.",
        "mcc": "Matthews correlation coefficient.",
        "min_class_recall": "Lowest recall among classes with at least min_class_support rows.",
        "balanced_accuracy_ci_width": "Width of the balanced accuracy's bootstrap interval.",
    }
    default_metric = "balanced_accuracy"
    docs = CheckDocs(
        what="Classification metrics on the evaluation set, each with a bootstrap confidence "
        "interval, plus the confusion matrix and a per-class report.",
        why="They say how often and how the model is wrong; the interval says how much the "
        "numbers could move on another sample of the same size.",
        fix="Read the confusion matrix and the per-class report to find the classes the model "
        "confuses; add data or features for them, use class weights for rare classes.",
        reference="scikit-learn metrics documentation; Efron B., Tibshirani R. (1993), An "
        "Introduction to the Bootstrap.",
    )

    def run(self, context, params):
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        if len(outputs.rows) == 0:
            return [
                Measurement(None, skipped="No evaluation row has both a label and a prediction.")
            ]
        n_classes = len(context.classes)
        positive = None
        if context.task == "binary":
            positive = int(context.class_index(np.asarray([context.positive_label]))[0])
        support = np.bincount(outputs.true_index, minlength=n_classes)
        eligible = np.flatnonzero(support >= params["min_class_support"])
        observed = classification_point(outputs, n_classes, positive, params["min_class_support"])
        probabilities = outputs.probabilities
        with_probabilities = probabilities is not None and "roc_auc" in observed
        true_present, predicted_present, *present = present_classes(outputs, positive, eligible)
        compute = classification_resampled(positive, n_classes, present, with_probabilities)
        arrays = (
            outputs.true_index,
            outputs.predicted_index,
            true_present,
            predicted_present,
            probabilities if probabilities is not None else outputs.true_index,
        )
        intervals, sampling = {}, None
        if params["n_bootstrap"] > 0:
            intervals, sampling = bootstrap(
                compute, arrays, observed, bootstrap_settings(context, params)
            )
        interval = intervals.get("balanced_accuracy")
        observed["balanced_accuracy_ci_width"] = (
            interval["high"] - interval["low"] if interval else None
        )
        classes = [str(label) for label in context.classes]
        matrix = sk.confusion_matrix(
            outputs.true_index, outputs.predicted_index, labels=np.arange(n_classes)
        )
        precision, recall, f1, count = sk.precision_recall_fscore_support(
            outputs.true_index,
            outputs.predicted_index,
            labels=np.arange(n_classes),
            zero_division=0,
        )
        evidence = {
            "classes": classes,
            "positive_label": None if positive is None else classes[positive],
            "confusion_matrix": matrix.tolist(),
            "per_class": [
                {
                    "class": classes[k],
                    "precision": precision[k],
                    "recall": recall[k],
                    "f1": f1[k],
                    "support": int(count[k]),
                }
                for k in range(n_classes)
            ],
            "rows": len(outputs.rows),
            "unlabelled_rows": outputs.unlabelled,
            "unknown_label_rows": outputs.unknown_labels,
        }
        note = ""
        if observed["min_class_recall"] is not None and len(eligible):
            worst = eligible[np.argmin(recall[eligible])]
            evidence["weakest_class"] = classes[worst]
            note = f"the weakest class is {classes[worst]!r}"
        return [
            Measurement(
                None,
                observed=observed,
                ci=intervals,
                evidence=evidence,
                sampling=sampling,
                note=note,
            )
        ]


@register
class RegressionPerformance(Check):
    key = "performance.regression"
    category = "performance"
    task_types = frozenset({"regression"})
    params_schema = schema(**BOOTSTRAP_PARAMS)
    metrics = {
        "mae": "Mean absolute error.",
        "rmse": "Root mean squared error.",
        "r2": "Coefficient of determination.",
        "mape": "Mean absolute percentage error (a share: 0.1 is 10%).",
        "max_error": "Largest absolute error.",
        "mean_residual": "Mean of prediction minus truth (systematic bias).",
    }
    default_metric = "mae"
    docs = CheckDocs(
        what="Regression error metrics on the evaluation set with bootstrap confidence "
        "intervals, and the distribution of residuals.",
        why="They say how far predictions fall from the truth, in the target's unit (MAE, "
        "RMSE) or relative to its variance (R²).",
        fix="Plot residuals against predictions and features; structure left in them points "
        "to missing features, outliers or a needed target transformation.",
        reference="scikit-learn regression metrics documentation.",
    )

    def run(self, context, params):
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        if len(outputs.rows) < 2:
            return [Measurement(None, skipped="Fewer than two rows have a label and a prediction.")]
        truth, predicted = outputs.truth, outputs.predicted
        residuals = predicted - truth
        observed = {
            "mae": sk.mean_absolute_error(truth, predicted),
            "rmse": sk.root_mean_squared_error(truth, predicted),
            "r2": sk.r2_score(truth, predicted),
            "mape": sk.mean_absolute_percentage_error(truth, predicted),
            "max_error": sk.max_error(truth, predicted),
            "mean_residual": float(residuals.mean()),
        }
        observed = {name: float(value) for name, value in observed.items()}
        intervals, sampling = {}, None
        if params["n_bootstrap"] > 0:
            intervals, sampling = bootstrap(
                wm.regression_metrics,
                (truth, predicted),
                observed,
                bootstrap_settings(context, params),
            )
        counts, edges = np.histogram(residuals, bins=30)
        quantiles = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
        evidence = {
            "residual_histogram": {"counts": counts.tolist(), "edges": edges.tolist()},
            "residual_quantiles": dict(
                zip(map(str, quantiles), np.quantile(residuals, quantiles).tolist(), strict=True)
            ),
            "rows": len(outputs.rows),
            "unlabelled_rows": outputs.unlabelled,
        }
        return [
            Measurement(None, observed=observed, ci=intervals, evidence=evidence, sampling=sampling)
        ]
