"""The arithmetic of confidence-based performance estimation (CBPE): calibrated class
probabilities stand for the unknown labels.

When the probability of class k on a row is p, the row is of class k with probability p, so
the expected confusion matrix is a sum of probabilities (binary: expected true positives =
the sum of p over the rows predicted positive). The realised metrics of a batch are then
random only through the labels still to come: drawing labels from the probabilities, row by
row and independently, gives their distribution (a Poisson-binomial for accuracy), and its
percentiles are the interval the realised value should fall in.
"""

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from apps.evaluations.engine.checks.calibration import (
    assign_bins,
    bin_edges,
    calibration_errors,
    calibration_table,
    ece_null_distribution,
)

METRICS = ("accuracy", "f1", "roc_auc")
_DRAW_CELLS = 2_000_000  # label draws x rows x classes held in memory at once


def calibration_verdict(
    probabilities: NDArray[Any],
    truth: NDArray[np.intp],
    *,
    n_bins: int,
    alpha: float,
    max_ece: float,
    resamples: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Whether each class's probability is calibrated (one against the rest) on labelled rows.

    A class passes when its expected calibration error is within `max_ece` or within the
    noise of a perfectly calibrated model (consistency resampling, Bonferroni over the
    classes tested: its p-value is at least alpha / classes)."""
    classes = _tested_classes(probabilities.shape[1])
    per_class = []
    for k in classes:
        confidence = np.clip(probabilities[:, k], 0.0, 1.0)
        outcome = (truth == k).astype(float)
        edges = bin_edges(confidence, n_bins, "uniform")
        bins = assign_bins(confidence, edges)
        table = calibration_table(confidence, outcome, bins, n_bins)
        ece = calibration_errors(*table, min_bin_count=1, binary=True)["expected_calibration_error"]
        null = ece_null_distribution(confidence, bins, n_bins, resamples, rng)
        p_value = float((1 + np.sum(null >= ece)) / (1 + len(null)))
        per_class.append({"class_position": int(k), "ece": ece, "p_value": p_value})
    worst = max(per_class, key=lambda entry: -1.0 if entry["ece"] is None else entry["ece"])
    calibrated = all(
        (ece := entry["ece"]) is not None
        and (ece <= max_ece or (entry["p_value"] or 0.0) >= alpha / len(classes))
        for entry in per_class
    )
    return {"calibrated": calibrated, "worst_ece": worst["ece"], "per_class": per_class}


def _tested_classes(n_classes: int) -> list[int]:
    # Binary: the positive class's probability says everything (the other is 1 - p).
    return [1] if n_classes == 2 else list(range(n_classes))


class Calibrator:
    """A map of each class's probability to its observed frequency (one against the rest),
    fitted on labelled rows: Platt scaling (a logistic regression on the logit, two
    parameters, little to overfit) or isotonic regression (any monotone distortion); rows
    renormalised to sum to one."""

    def __init__(self, probabilities: NDArray[Any], truth: NDArray[np.intp], method: str) -> None:
        self.n_classes = probabilities.shape[1]
        self.models: dict[int, Any] = {}
        for k in _tested_classes(self.n_classes):
            outcome = (truth == k).astype(float)
            if outcome.min() == outcome.max():  # the class never (or always) comes true
                self.models[k] = float(outcome[0]) if len(outcome) else 0.0
                continue
            if method == "platt":
                model = LogisticRegression(C=1e6).fit(_logit(probabilities[:, k]), outcome)
            else:
                model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
                model.fit(probabilities[:, k], outcome)
            self.models[k] = model

    def _class(self, probabilities: NDArray[Any], k: int) -> NDArray[Any]:
        model = self.models[k]
        if isinstance(model, float):
            return np.full(len(probabilities), model)
        if isinstance(model, LogisticRegression):
            calibrated: NDArray[Any] = model.predict_proba(_logit(probabilities[:, k]))[:, 1]
            return calibrated
        isotonic: NDArray[Any] = model.predict(probabilities[:, k])
        return isotonic

    def apply(self, probabilities: NDArray[Any]) -> NDArray[Any]:
        if self.n_classes == 2:
            positive = self._class(probabilities, 1)
            return np.column_stack([1 - positive, positive])
        calibrated = np.column_stack([self._class(probabilities, k) for k in range(self.n_classes)])
        totals = calibrated.sum(axis=1, keepdims=True)
        flat = totals[:, 0] <= 0  # every class mapped to 0: keep the model's own
        calibrated[flat] = probabilities[flat]
        totals[flat] = 1.0
        result: NDArray[Any] = calibrated / totals
        return result


def _logit(probability: NDArray[Any]) -> NDArray[Any]:
    clipped = np.clip(probability, 1e-6, 1 - 1e-6)
    logits: NDArray[Any] = np.log(clipped / (1 - clipped))[:, None]
    return logits


def cross_fitted(
    probabilities: NDArray[Any],
    truth: NDArray[np.intp],
    method: str,
    folds: int,
    rng: np.random.Generator,
) -> NDArray[Any]:
    """Each row calibrated by a calibrator fitted without it, to judge recalibration honestly."""
    fold = rng.permutation(len(truth)) % folds
    calibrated = np.empty_like(probabilities, dtype=float)
    for f in range(folds):
        held = fold == f
        calibrated[held] = Calibrator(probabilities[~held], truth[~held], method).apply(
            probabilities[held]
        )
    return calibrated


def expected_metrics(
    probabilities: NDArray[Any], scores: NDArray[Any], predicted: NDArray[np.intp]
) -> dict[str, float | None]:
    """The metrics the labels are expected to give (CBPE): accuracy, F1 (binary: of the
    positive class, position 1; multiclass: macro) and ROC AUC (multiclass: macro one
    against the rest), from the calibrated probabilities; `scores` order the rows for AUC."""
    rows = np.arange(len(predicted))
    f1s, aucs = [], []
    for k in _tested_classes(probabilities.shape[1]):
        p = probabilities[:, k]
        chosen = predicted == k
        tp, fp, fn = p[chosen].sum(), (1 - p[chosen]).sum(), p[~chosen].sum()
        f1s.append(2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else np.nan)
        aucs.append(_expected_auc(p, scores[:, k]))
    return {
        "accuracy": float(np.mean(probabilities[rows, predicted])),
        "f1": _mean_or_none(f1s),
        "roc_auc": _mean_or_none(aucs),
    }


def _expected_auc(p: NDArray[Any], score: NDArray[Any]) -> float:
    """The expected ROC curve's area: rows by descending score, each counting p as a
    positive and 1 - p as a negative; tied scores share their pairs half and half."""
    values, group = np.unique(-score, return_inverse=True)
    positives = np.bincount(group, weights=p, minlength=len(values))
    negatives = np.bincount(group, weights=1 - p, minlength=len(values))
    above = np.cumsum(positives) - positives
    total = positives.sum() * negatives.sum()
    if total <= 0:
        return np.nan
    return float(np.sum(negatives * (above + positives / 2)) / total)


def score_ranks(scores: NDArray[Any]) -> NDArray[Any]:
    """Each class's scores as ranks (ties averaged), for the Mann-Whitney form of ROC AUC."""
    return np.column_stack([rankdata(scores[:, k]) for k in range(scores.shape[1])])


def realised_metrics(
    labels: NDArray[np.intp], ranks: NDArray[Any], predicted: NDArray[np.intp]
) -> dict[str, NDArray[Any]]:
    """The same metrics for label draws (a 2-d array, one draw a row): for true labels, one
    row. `ranks` are `score_ranks` of the scores."""
    accuracy = np.mean(labels == predicted[None, :], axis=1)
    f1s, aucs = [], []
    n = labels.shape[1]
    for k in _tested_classes(ranks.shape[1]):
        actual, chosen = labels == k, predicted[None, :] == k
        tp = np.sum(actual & chosen, axis=1)
        fp = np.sum(~actual & chosen, axis=1)
        fn = np.sum(actual & ~chosen, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f1s.append(np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan))
            positives = actual.sum(axis=1)
            mann_whitney = actual @ ranks[:, k] - positives * (positives + 1) / 2
            aucs.append(mann_whitney / (positives * (n - positives)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a draw without a class: undefined
        return {
            "accuracy": accuracy,
            "f1": np.nanmean(np.vstack(f1s), axis=0),
            "roc_auc": np.nanmean(_finite_or_nan(np.vstack(aucs)), axis=0),
        }


def _finite_or_nan(values: NDArray[Any]) -> NDArray[Any]:
    return np.where(np.isfinite(values), values, np.nan)


def drawn_metrics(
    probability_sets: list[NDArray[Any]],
    scores: NDArray[Any],
    predicted: NDArray[np.intp],
    draws: int,
    rng: np.random.Generator,
) -> dict[str, NDArray[Any]]:
    """Realised metrics over `draws` label draws, each drawn from one of `probability_sets`
    in turn (several sets carry the calibrator's own uncertainty)."""
    n, n_classes = scores.shape
    batch = max(1, _DRAW_CELLS // (n * n_classes))
    cumulative = [np.cumsum(p, axis=1) for p in probability_sets]
    ranks = score_ranks(scores)
    values: dict[str, list[NDArray[Any]]] = {name: [] for name in METRICS}
    for start in range(0, draws, batch):
        size = min(batch, draws - start)
        labels = np.empty((size, n), dtype=np.intp)
        for row in range(size):
            cumsum = cumulative[(start + row) % len(cumulative)]
            labels[row] = np.minimum((rng.random((n, 1)) > cumsum).sum(axis=1), n_classes - 1)
        for name, drawn in realised_metrics(labels, ranks, predicted).items():
            values[name].append(drawn)
    return {name: np.concatenate(parts) for name, parts in values.items()}


def _mean_or_none(values: list[float]) -> float | None:
    finite = [value for value in values if np.isfinite(value)]
    return float(np.mean(finite)) if finite else None
