"""The metrics the relative performance checks compare, on the full data and for each
bootstrap resample."""

import numpy as np
from sklearn import metrics as sk

from apps.evaluations.engine import weighted_metrics as wm

SCORES = ("balanced_accuracy", "accuracy", "f1_macro", "roc_auc")  # higher is better
LOSSES = ("log_loss", "mae", "rmse", "mape")  # lower is better
CLASSIFICATION_METRICS = ("balanced_accuracy", "accuracy", "f1_macro", "roc_auc", "log_loss")
REGRESSION_METRICS = ("mae", "rmse", "mape")


def metric_for(context, params) -> str:
    metric = params["metric"]
    if metric == "auto":
        return "mae" if context.task == "regression" else "balanced_accuracy"
    allowed = REGRESSION_METRICS if context.task == "regression" else CLASSIFICATION_METRICS
    if metric not in allowed:
        raise ValueError(
            f"{metric} is not a {context.task} metric here; use one of {', '.join(allowed)}"
        )
    return metric


def point_value(metric: str, truth, predicted, probabilities, n_classes: int) -> float:
    """scikit-learn's value of a metric (classification labels as class positions)."""
    if metric == "balanced_accuracy":
        return sk.balanced_accuracy_score(truth, predicted)
    if metric == "accuracy":
        return sk.accuracy_score(truth, predicted)
    if metric == "f1_macro":
        return sk.f1_score(
            truth, predicted, labels=np.unique(truth), average="macro", zero_division=0
        )
    if metric == "roc_auc":
        if n_classes == 2:
            return sk.roc_auc_score(truth == 1, probabilities[:, 1])
        return sk.roc_auc_score(
            truth, probabilities, multi_class="ovr", labels=np.arange(n_classes)
        )
    if metric == "log_loss":
        return sk.log_loss(truth, probabilities, labels=np.arange(n_classes))
    if metric == "mae":
        return sk.mean_absolute_error(truth, predicted)
    if metric == "rmse":
        return sk.root_mean_squared_error(truth, predicted)
    return sk.mean_absolute_percentage_error(truth, predicted)


def resampled_value(metric, counts, truth, predicted, probabilities, n_classes, in_truth):
    """The same metric for each resample of a count matrix."""
    if metric in ("balanced_accuracy", "accuracy", "f1_macro"):
        matrices = wm.confusion_matrices(counts, truth, predicted, n_classes)
        if metric == "f1_macro":
            tp = np.diagonal(matrices, axis1=1, axis2=2)
            total = matrices.sum(axis=2) + matrices.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                f1 = np.where(total > 0, 2 * tp / total, 0.0)
            return f1[:, in_truth].mean(axis=1)
        return wm.confusion_metrics(matrices, None)[metric]
    if metric == "roc_auc":
        if n_classes == 2:
            return wm.roc_auc(counts, probabilities[:, 1], truth == 1)
        return wm.macro_one_vs_rest(wm.roc_auc, counts, probabilities, truth)
    if metric == "log_loss":
        return wm.weighted_mean(counts, wm.log_loss_per_row(probabilities, truth))
    return wm.regression_metrics(counts, truth, predicted)[metric]


def error_of(metric: str, value):
    return value if metric in LOSSES else 1.0 - value
