"""ROC and precision-recall curves of a classifier, thinned for the evidence of
`performance.classification`."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

CURVE_POINTS = 200
_MAX_CURVE_CLASSES = 10


def _thinned(*columns: NDArray[Any], points: int) -> list[list[float]]:
    """Evenly spaced points of a curve (first and last kept), rounded for a small JSON."""
    keep = np.unique(np.linspace(0, len(columns[0]) - 1, min(points, len(columns[0]))).round())
    return [np.round(column[keep.astype(int)], 4).tolist() for column in columns]


def ranked_counts(hits: NDArray[Any], scores: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """False and true positives above each distinct score, highest first: the one sort
    both curves need (scikit-learn's roc_curve and precision_recall_curve sort each)."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    last = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    true_positives = np.cumsum(hits[order])[last]
    return last + 1 - true_positives, true_positives


def binary_areas(hits: NDArray[Any], scores: NDArray[Any]) -> tuple[float, float]:
    """ROC AUC and average precision of scores for the rows where `hits`, both present:
    scikit-learn's roc_auc_score and average_precision_score from one sort."""
    false_positives, true_positives = ranked_counts(hits, scores)
    fpr = np.r_[0.0, false_positives / false_positives[-1]]
    tpr = np.r_[0.0, true_positives / true_positives[-1]]
    precision = true_positives / (true_positives + false_positives)
    return float(np.trapezoid(tpr, fpr)), float(np.sum(np.diff(tpr) * precision))


def roc_pr_curves(
    truth: NDArray[Any], probabilities: NDArray[Any], positive: int | None, classes: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """ROC and precision-recall curves thinned to at most 200 points (100 per class when
    there are several): of the positive class (binary), else one-vs-rest of up to ten
    classes present in the truth."""
    if positive is not None:
        shown = [positive]
    else:
        shown = [k for k in range(len(classes)) if 0 < np.sum(truth == k) < len(truth)]
        shown = shown[:_MAX_CURVE_CLASSES]
    points = CURVE_POINTS if len(shown) == 1 else CURVE_POINTS // 2
    roc: list[dict[str, Any]] = []
    pr: list[dict[str, Any]] = []
    for k in shown:
        hits, scores = truth == k, probabilities[:, k]
        if hits.all() or not hits.any():
            continue
        false_positives, true_positives = ranked_counts(hits, scores)
        fpr = np.r_[0.0, false_positives / false_positives[-1]]
        tpr = np.r_[0.0, true_positives / true_positives[-1]]
        recall = np.r_[0.0, true_positives / true_positives[-1]]
        precision = np.r_[1.0, true_positives / (true_positives + false_positives)]
        # the areas of the full curves, as roc_auc_score and average_precision_score
        auc = float(np.trapezoid(tpr, fpr))
        average_precision = float(np.sum(np.diff(recall) * precision[1:]))
        fpr, tpr = _thinned(fpr, tpr, points=points)
        recall, precision = _thinned(recall, precision, points=points)
        roc.append({"class": classes[k], "fpr": fpr, "tpr": tpr, "auc": auc})
        pr.append(
            {
                "class": classes[k],
                "recall": recall,
                "precision": precision,
                "average_precision": average_precision,
                "base_rate": float(hits.mean()),
            }
        )
    return {"roc_curves": roc, "pr_curves": pr}
