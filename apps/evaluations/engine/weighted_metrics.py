"""Metrics computed for many bootstrap resamples at once.

Each function takes a (b, n) matrix of row counts (see `stats.resample_counts`) and
returns b values. With a single row of ones they equal scikit-learn's metrics (the tests
check this); the checks report scikit-learn's own values as point estimates and use these
only for the intervals.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

# numpy's stubs type reductions along an axis (`sum(axis=1)`) and what follows from them as
# Any, so such results are named with their type before they are returned.

_EPS = np.finfo(np.float64).eps


def _indicator(
    groups: NDArray[Any], size: int, mask: NDArray[np.bool_] | None = None
) -> sparse.csr_matrix:
    """An (n, size) 0/1 matrix with row i marking group groups[i] (rows outside mask empty)."""
    rows = np.arange(len(groups))
    if mask is not None:
        rows, groups = rows[mask], groups[mask]
    data = np.ones(len(rows))
    return sparse.csr_matrix(
        (data, (rows, groups)), shape=(len(mask) if mask is not None else len(rows), size)
    )


def grouped_counts(
    counts: NDArray[Any], groups: NDArray[Any], size: int, mask: NDArray[np.bool_] | None = None
) -> NDArray[Any]:
    """(b, size): per resample, how many drawn rows fall in each group."""
    indicator = _indicator(groups, size, mask)
    return np.asarray((indicator.T @ counts.T).T)


def weighted_mean(counts: NDArray[Any], values: NDArray[Any]) -> NDArray[Any]:
    means: NDArray[Any] = counts @ values / counts.sum(axis=1)
    return means


# --- classification from confusion matrices ----------------------------------------------


def confusion_matrices(
    counts: NDArray[Any], true_index: NDArray[Any], predicted_index: NDArray[Any], n_classes: int
) -> NDArray[Any]:
    """(b, C, C) confusion matrices, rows true classes, columns predicted classes."""
    cells = true_index * n_classes + predicted_index
    return grouped_counts(counts, cells, n_classes * n_classes).reshape(-1, n_classes, n_classes)


def confusion_metrics(
    matrices: NDArray[Any], positive: int | None, min_support_classes: NDArray[Any] | None = None
) -> dict[str, NDArray[Any]]:
    """Accuracy, balanced accuracy, precision/recall/F1 (binary, macro, weighted), MCC and
    the minimum per-class recall, as scikit-learn computes them with zero_division=0."""
    tp = np.diagonal(matrices, axis1=1, axis2=2).astype(float)
    support = matrices.sum(axis=2).astype(float)
    predicted = matrices.sum(axis=1).astype(float)
    total = support.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(support > 0, tp / support, 0.0)
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
        present_recall = np.where(support > 0, recall, np.nan)
        weights = support / total[:, None]
        correct = tp.sum(axis=1)
        cov_tp = correct * total - (predicted * support).sum(axis=1)
        cov_pp = total**2 - (predicted**2).sum(axis=1)
        cov_tt = total**2 - (support**2).sum(axis=1)
        denominator = np.sqrt(cov_tt * cov_pp)
        mcc = np.where(denominator > 0, cov_tp / denominator, 0.0)
    metrics = {
        "accuracy": correct / total,
        "balanced_accuracy": np.nanmean(present_recall, axis=1),
        "precision_macro": precision.mean(axis=1),
        "recall_macro": recall.mean(axis=1),
        "f1_macro": f1.mean(axis=1),
        "precision_weighted": (precision * weights).sum(axis=1),
        "recall_weighted": (recall * weights).sum(axis=1),
        "f1_weighted": (f1 * weights).sum(axis=1),
        "mcc": mcc,
    }
    if positive is not None:
        metrics["precision"] = precision[:, positive]
        metrics["recall"] = recall[:, positive]
        metrics["f1"] = f1[:, positive]
    if min_support_classes is not None and len(min_support_classes):
        metrics["min_class_recall"] = present_recall[:, min_support_classes].min(axis=1)
    return metrics


# --- ranking metrics ---------------------------------------------------------------------


def _per_level(
    counts: NDArray[Any], scores: NDArray[Any], positive_mask: NDArray[np.bool_]
) -> tuple[NDArray[Any], NDArray[Any]]:
    levels, inverse = np.unique(scores, return_inverse=True)
    size = len(levels)
    positives = grouped_counts(counts, inverse, size, positive_mask)
    negatives = grouped_counts(counts, inverse, size, ~positive_mask)
    return positives, negatives


def roc_auc(
    counts: NDArray[Any], scores: NDArray[Any], positive_mask: NDArray[np.bool_]
) -> NDArray[Any]:
    """Area under the ROC curve with ties counted half (the Mann-Whitney statistic)."""
    return _auc(*_per_level(counts, scores, positive_mask))


def average_precision(
    counts: NDArray[Any], scores: NDArray[Any], positive_mask: NDArray[np.bool_]
) -> NDArray[Any]:
    """Average precision: the sum over thresholds of precision times the recall gained."""
    return _average_precision(*_per_level(counts, scores, positive_mask))


def ranking_areas(
    counts: NDArray[Any], scores: NDArray[Any], positive_mask: NDArray[np.bool_]
) -> tuple[NDArray[Any], NDArray[Any]]:
    """`roc_auc` and `average_precision` from one grouping of the rows by score."""
    positives, negatives = _per_level(counts, scores, positive_mask)
    return _auc(positives, negatives), _average_precision(positives, negatives)


# The (resamples, score levels) arrays below are the bootstrap's largest: each step works in
# place where the value stays the same, so few of them are alive at once.


def _auc(positives: NDArray[Any], negatives: NDArray[Any]) -> NDArray[Any]:
    below = np.cumsum(negatives, axis=1)
    below -= negatives
    below += 0.5 * negatives
    below *= positives
    with np.errstate(divide="ignore", invalid="ignore"):
        auc: NDArray[Any] = below.sum(axis=1) / (positives.sum(axis=1) * negatives.sum(axis=1))
    return auc


def _average_precision(positives: NDArray[Any], negatives: NDArray[Any]) -> NDArray[Any]:
    true_positives = np.cumsum(positives[:, ::-1], axis=1)
    flagged = np.cumsum(negatives[:, ::-1], axis=1)
    flagged += true_positives
    precision = np.zeros_like(flagged)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(true_positives, flagged, out=precision, where=flagged > 0)
        del flagged
        recall = np.divide(true_positives, true_positives[:, -1:].copy(), out=true_positives)
    gained = np.diff(recall, axis=1, prepend=0.0)
    del recall, true_positives
    gained *= precision
    precision_sum: NDArray[Any] = gained.sum(axis=1)
    return precision_sum


def macro_one_vs_rest(
    metric: Callable[[NDArray[Any], NDArray[Any], NDArray[np.bool_]], NDArray[Any]],
    counts: NDArray[Any],
    probabilities: NDArray[Any],
    true_index: NDArray[Any],
) -> NDArray[Any]:
    """The macro average over classes of a binary ranking metric, one class against the rest."""
    values = [
        metric(counts, probabilities[:, k], true_index == k) for k in range(probabilities.shape[1])
    ]
    mean: NDArray[Any] = np.mean(values, axis=0)
    return mean


# --- per-row losses ----------------------------------------------------------------------


def log_loss_per_row(probabilities: NDArray[Any], true_index: NDArray[Any]) -> NDArray[Any]:
    """-log of the probability given to the true class, clipped like scikit-learn's."""
    # The true class's column first, then clipped and logged in place: one array of a
    # float per row instead of copies of the whole probability matrix.
    given = np.take_along_axis(probabilities, true_index[:, None], axis=1)[:, 0]
    losses: NDArray[Any] = given.astype(float, copy=given.dtype.kind != "f")
    np.clip(losses, _EPS, 1 - _EPS, out=losses)
    np.log(losses, out=losses)
    np.negative(losses, out=losses)
    return losses


def brier_per_row(probabilities: NDArray[Any], true_index: NDArray[Any]) -> NDArray[Any]:
    """Binary: (p - y)² for the positive class; multiclass: the sum over classes."""
    onehot = np.zeros_like(probabilities)
    onehot[np.arange(len(true_index)), true_index] = 1.0
    if probabilities.shape[1] == 2:
        binary: NDArray[Any] = (probabilities[:, 1] - onehot[:, 1]) ** 2
        return binary
    summed: NDArray[Any] = ((probabilities - onehot) ** 2).sum(axis=1)
    return summed


def regression_metrics(
    counts: NDArray[Any], truth: NDArray[Any], predicted: NDArray[Any]
) -> dict[str, NDArray[Any]]:
    """MAE, RMSE, R² and MAPE for each resample."""
    error = predicted - truth
    weight = counts.sum(axis=1)
    squared = counts @ (error**2)
    mean_truth = counts @ truth / weight
    total = counts @ (truth**2) - weight * mean_truth**2
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(total > 0, 1 - squared / total, np.nan)
    return {
        "mae": counts @ np.abs(error) / weight,
        "rmse": np.sqrt(squared / weight),
        "r2": r2,
        "mape": counts @ (np.abs(error) / np.maximum(np.abs(truth), _EPS)) / weight,
    }
