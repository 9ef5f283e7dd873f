"""The metrics the relative performance checks compare, on the full data and for each
bootstrap resample."""

from typing import Any, overload

import numpy as np
from numpy.typing import NDArray
from sklearn import metrics as sk

from apps.evaluations.engine import weighted_metrics as wm
from apps.evaluations.engine.checks.performance_curves import binary_areas
from apps.evaluations.engine.context import EvaluationContext

SCORES = ("balanced_accuracy", "accuracy", "f1_macro", "roc_auc")  # higher is better
LOSSES = ("log_loss", "mae", "rmse", "mape")  # lower is better
CLASSIFICATION_METRICS = ("balanced_accuracy", "accuracy", "f1_macro", "roc_auc", "log_loss")
REGRESSION_METRICS = ("mae", "rmse", "mape")


def metric_for(context: EvaluationContext, params: dict[str, Any]) -> str:
    metric: str = params["metric"]
    if metric == "auto":
        return "mae" if context.task == "regression" else "balanced_accuracy"
    allowed = REGRESSION_METRICS if context.task == "regression" else CLASSIFICATION_METRICS
    if metric not in allowed:
        raise ValueError(
            f"{metric} is not a {context.task} metric here; use one of {', '.join(allowed)}"
        )
    return metric


def point_value(
    metric: str,
    truth: NDArray[Any],
    predicted: NDArray[Any],
    probabilities: NDArray[Any] | None,
    n_classes: int,
) -> float:
    """scikit-learn's value of a metric (classification labels as class positions)."""
    value: float  # scikit-learn ships no types: its metrics return Any
    known = min(truth.min(initial=0), predicted.min(initial=0)) >= 0
    if metric in ("balanced_accuracy", "accuracy") and known and len(truth):
        # From one confusion matrix: scikit-learn finds the labels again for each metric,
        # which at a million rows costs more than the metric.
        cells = np.asarray(truth, dtype=np.intp) * n_classes + np.asarray(predicted, np.intp)
        matrix = np.bincount(cells, minlength=n_classes * n_classes).reshape(n_classes, -1)
        hits, support = np.diagonal(matrix), matrix.sum(axis=1)
        if metric == "accuracy":
            return float(hits.sum() / len(truth))
        present = support > 0  # as scikit-learn, over the classes in the truth
        return float(np.mean(hits[present] / support[present]))
    if metric == "balanced_accuracy":
        value = sk.balanced_accuracy_score(truth, predicted)
    elif metric == "accuracy":
        value = sk.accuracy_score(truth, predicted)
    elif metric == "f1_macro":
        value = sk.f1_score(
            truth, predicted, labels=np.unique(truth), average="macro", zero_division=0
        )
    elif metric == "roc_auc":
        if n_classes == 2 and 0 < np.count_nonzero(truth == 1) < len(truth):
            value = binary_areas(truth == 1, _needed(probabilities, metric)[:, 1])[0]
        elif n_classes == 2:
            value = sk.roc_auc_score(truth == 1, _needed(probabilities, metric)[:, 1])
        else:
            value = sk.roc_auc_score(
                truth, probabilities, multi_class="ovr", labels=np.arange(n_classes)
            )
    elif metric == "log_loss":
        value = sk.log_loss(truth, probabilities, labels=np.arange(n_classes))
    elif metric == "mae":
        value = sk.mean_absolute_error(truth, predicted)
    elif metric == "rmse":
        value = sk.root_mean_squared_error(truth, predicted)
    else:
        value = sk.mean_absolute_percentage_error(truth, predicted)
    return value


def resampled_value(
    metric: str,
    counts: NDArray[np.float64],
    truth: NDArray[Any],
    predicted: NDArray[Any],
    probabilities: NDArray[Any] | None,
    n_classes: int,
    in_truth: NDArray[Any] | None,
) -> NDArray[Any]:
    """The same metric for each resample of a count matrix."""
    if metric in ("balanced_accuracy", "accuracy", "f1_macro"):
        matrices = wm.confusion_matrices(counts, truth, predicted, n_classes)
        if metric == "f1_macro":
            tp = np.diagonal(matrices, axis1=1, axis2=2)
            total = matrices.sum(axis=2) + matrices.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                f1 = np.where(total > 0, 2 * tp / total, 0.0)
            f1_macro: NDArray[Any] = f1[:, in_truth].mean(axis=1)
            return f1_macro
        return wm.confusion_metrics(matrices, None)[metric]
    if metric == "roc_auc":
        if n_classes == 2:
            return wm.roc_auc(counts, _needed(probabilities, metric)[:, 1], truth == 1)
        return wm.macro_one_vs_rest(wm.roc_auc, counts, _needed(probabilities, metric), truth)
    if metric == "log_loss":
        losses = wm.log_loss_per_row(_needed(probabilities, metric), truth)
        return wm.weighted_mean(counts, losses)
    return wm.regression_metrics(counts, truth, predicted)[metric]


def _needed(probabilities: NDArray[Any] | None, metric: str) -> NDArray[Any]:
    """The probabilities a metric reads: its callers skip it when the model gives none."""
    if probabilities is None:
        raise TypeError(f"{metric} needs probabilities")
    return probabilities


@overload
def error_of(metric: str, value: float) -> float: ...


@overload
def error_of(metric: str, value: NDArray[Any]) -> NDArray[Any]: ...


def error_of(metric: str, value: float | NDArray[Any]) -> float | NDArray[Any]:
    return value if metric in LOSSES else 1.0 - value
