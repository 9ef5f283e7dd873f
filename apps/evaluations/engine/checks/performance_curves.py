"""ROC and precision-recall curves of a classifier, thinned for the evidence of
`performance.classification`."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

CURVE_POINTS = 200
_MAX_CURVE_CLASSES = 10


def ranked_counts(hits: NDArray[Any], scores: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """False and true positives above each distinct score, highest first: the one sort
    both curves need (scikit-learn's roc_curve and precision_recall_curve sort each).
    Each array is let go as soon as it has served, for a million scores' sake."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    # The last row of each run of equal scores, as np.diff finds them (so scikit-learn's
    # curves): a NaN, and an infinite score, each run alone.
    ends = ranked[1:] != ranked[:-1]
    ends |= np.isinf(ranked[1:])
    last = np.flatnonzero(np.append(ends, True))
    del ranked
    ranked_hits = hits[order]
    del order
    true_positives = np.cumsum(ranked_hits, dtype=np.int64)[last]
    np.add(last, 1, out=last)  # the rows ranked so far ...
    false_positives = np.subtract(last, true_positives, out=last)  # ... less the hits
    return false_positives, true_positives


def _areas(false_positives: NDArray[Any], true_positives: NDArray[Any]) -> tuple[float, float]:
    """ROC AUC (trapezoids) and average precision (steps) of the counts of `ranked_counts`,
    the curves starting at (0, 0), without building the curves themselves."""
    negatives, positives = int(false_positives[-1]), int(true_positives[-1])
    steps = np.empty_like(false_positives)
    steps[0] = false_positives[0]
    np.subtract(false_positives[1:], false_positives[:-1], out=steps[1:])
    # sum over steps of the false positive rate of the mean true positive rate at its ends
    heights = int(np.dot(steps, true_positives)) + int(np.dot(steps[1:], true_positives[:-1]))
    precision = true_positives / np.add(true_positives, false_positives, out=steps)
    steps[0] = true_positives[0]  # the same buffer, now the steps of the true positives
    np.subtract(true_positives[1:], true_positives[:-1], out=steps[1:])
    weighted = np.multiply(precision, steps, out=precision)  # in place: no float copy of steps
    return heights / (2.0 * negatives * positives), float(weighted.sum()) / positives


def binary_areas(hits: NDArray[Any], scores: NDArray[Any]) -> tuple[float, float]:
    """ROC AUC and average precision of scores for the rows where `hits`, both present:
    scikit-learn's roc_auc_score and average_precision_score from one sort."""
    return _areas(*ranked_counts(hits, scores))


def _thinned_curves(
    false_positives: NDArray[Any], true_positives: NDArray[Any], points: int
) -> tuple[list[float], list[float], list[float]]:
    """False and true positive rates (the true one is the recall) and precision of the
    curves, each with its first point ((0, 0), and recall 0 at precision 1), at evenly
    spaced points only (first and last kept), rounded for a small JSON."""
    length = len(true_positives) + 1
    keep = np.unique(np.linspace(0, length - 1, min(points, length)).round()).astype(np.intp)
    at = np.maximum(keep - 1, 0)  # position 0 of a curve is its added first point
    first = keep == 0
    fp, tp = false_positives[at].astype(float), true_positives[at].astype(float)
    fpr = np.where(first, 0.0, fp / false_positives[-1])
    tpr = np.where(first, 0.0, tp / true_positives[-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(first, 1.0, tp / (tp + fp))
    return np.round(fpr, 4).tolist(), np.round(tpr, 4).tolist(), np.round(precision, 4).tolist()


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
        # the areas of the full curves, as roc_auc_score and average_precision_score
        auc, average_precision = _areas(false_positives, true_positives)
        fpr, tpr, precision = _thinned_curves(false_positives, true_positives, points)
        roc.append({"class": classes[k], "fpr": fpr, "tpr": tpr, "auc": auc})
        pr.append(
            {
                "class": classes[k],
                "recall": tpr,
                "precision": precision,
                "average_precision": average_precision,
                "base_rate": float(hits.mean()),
            }
        )
    return {"roc_curves": roc, "pr_curves": pr}
