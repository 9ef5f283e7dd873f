"""Calibration of predicted probabilities.

Binary models are judged on the positive class's probability; multiclass models on the
top-label confidence (the probability of the predicted class against whether it was
right), as in Guo et al. (2017). The expected calibration error of a finite sample is
positive even for a perfectly calibrated model, so the check also reports a p-value from
consistency resampling (Bröcker & Smith 2007): labels redrawn from the predicted
probabilities show how large the error gets by chance alone, and the item fails only
when the observed error is both above its threshold and beyond that noise.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn import metrics as sk

from apps.evaluations.engine.checks.inputs import class_positions, labelled_outputs
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.registry import (
    CLASSIFICATION,
    Check,
    CheckDocs,
    Measurement,
    choice,
    integer,
    number,
    register,
    schema,
)

_EXACT_RESAMPLING_CELLS = 20_000_000


def bin_edges(confidence: NDArray[Any], n_bins: int, strategy: str) -> NDArray[Any]:
    if strategy == "quantile":
        edges: NDArray[Any] = np.percentile(confidence, np.linspace(0, 1, n_bins + 1) * 100)
        edges[0], edges[-1] = 0.0, 1.0
        return edges
    return np.linspace(0.0, 1.0, n_bins + 1)


def assign_bins(confidence: NDArray[Any], edges: NDArray[Any]) -> NDArray[Any]:
    """Bin of each confidence, as scikit-learn's calibration_curve assigns them."""
    return np.searchsorted(edges[1:-1], confidence)


def calibration_table(
    confidence: NDArray[Any], outcome: NDArray[Any], bins: NDArray[Any], n_bins: int
) -> tuple[NDArray[np.float64], NDArray[Any], NDArray[Any]]:
    counts = np.bincount(bins, minlength=n_bins).astype(float)
    mean_confidence = np.bincount(bins, weights=confidence, minlength=n_bins)
    observed = np.bincount(bins, weights=outcome, minlength=n_bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        return counts, mean_confidence / counts, observed / counts


def calibration_errors(
    counts: NDArray[Any],
    mean_confidence: NDArray[Any],
    frequency: NDArray[Any],
    min_bin_count: int,
    binary: bool,
) -> dict[str, float | None]:
    """ECE, MCE and the split of ECE into over- and under-confidence.

    Over-confidence is a prediction more extreme than the outcomes support: for a binary
    positive-class probability, further from 0.5 than the observed frequency; for a
    top-label confidence, above the accuracy.
    """
    used = counts > 0
    gaps = np.where(used, mean_confidence - frequency, 0.0)
    direction = np.sign(mean_confidence - 0.5) if binary else np.ones_like(gaps)
    extreme = np.where(used, gaps * np.where(direction == 0, 1.0, direction), 0.0)
    weights = counts / counts.sum()
    ece = float(np.sum(weights * np.abs(gaps)))
    eligible = counts >= min_bin_count
    mce = float(np.max(np.abs(gaps[eligible]))) if eligible.any() else None
    return {
        "expected_calibration_error": ece,
        "max_calibration_error": mce,
        "overconfidence_rate": float(np.sum(weights * np.clip(extreme, 0, None))),
        "underconfidence_rate": float(np.sum(weights * np.clip(-extreme, 0, None))),
    }


def ece_null_distribution(
    confidence: NDArray[Any],
    bins: NDArray[Any],
    n_bins: int,
    resamples: int,
    rng: np.random.Generator,
) -> NDArray[Any]:
    """ECE values of labels redrawn from the predicted probabilities (perfect calibration)."""
    n = len(confidence)
    counts = np.bincount(bins, minlength=n_bins).astype(float)
    weights = counts / n
    mean_confidence = np.bincount(bins, weights=confidence, minlength=n_bins)
    values = np.empty(resamples)
    if n * resamples <= _EXACT_RESAMPLING_CELLS:
        batch = max(1, 2_000_000 // n)
        indicator = np.zeros((n, n_bins))
        indicator[np.arange(n), bins] = 1.0
        for start in range(0, resamples, batch):
            size = min(batch, resamples - start)
            outcomes = rng.random((size, n)) < confidence
            hits = outcomes @ indicator
            with np.errstate(divide="ignore", invalid="ignore"):
                gaps = np.where(counts > 0, (mean_confidence - hits) / counts, 0.0)
            values[start : start + size] = np.abs(gaps) @ weights
        return values
    # Large samples: each bin's hit count is a sum of Bernoulli draws; its normal
    # approximation is accurate at these sizes and costs nothing per row.
    variance = np.bincount(bins, weights=confidence * (1 - confidence), minlength=n_bins)
    hits = rng.normal(mean_confidence, np.sqrt(variance), size=(resamples, n_bins))
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = np.where(counts > 0, (mean_confidence - hits) / counts, 0.0)
    return np.abs(gaps) @ weights


@register
class Calibration(Check):
    key = "calibration.classification"
    name = "Probability calibration"
    category = "calibration"
    reads = frozenset({"labels", "predictions", "probabilities", "reference", "training"})
    task_types = CLASSIFICATION
    params_schema = schema(
        n_bins=integer(10, minimum=2, maximum=100),
        strategy=choice("uniform", ["uniform", "quantile"]),
        min_bin_count=integer(30, minimum=1),
        alpha=number(0.05, minimum=0.0001, maximum=0.5),
        resamples=integer(500, minimum=50, maximum=10_000),
        seed=integer(0),
    )
    metrics = {
        "expected_calibration_error": "Row-weighted mean gap between confidence and accuracy "
        "over probability bins.",
        "max_calibration_error": "Largest gap over bins with at least min_bin_count rows.",
        "overconfidence_rate": "The part of the expected error from bins whose predictions are "
        "more extreme than the outcomes (binary: further from 0.5; multiclass: confidence above "
        "accuracy).",
        "underconfidence_rate": "The part from bins whose predictions are too timid.",
        "brier_score": "Mean squared error of the probabilities (multiclass: summed over classes).",
        "brier_skill_score": "1 - Brier score / Brier score of the training base rate.",
    }
    default_metric = "expected_calibration_error"
    docs = CheckDocs(
        what="Calibration of the predicted probabilities: expected and maximum calibration "
        "error over bins, over- and under-confidence, Brier score and skill, and a "
        "reliability curve.",
        why="When a score is read as a risk, a 70% prediction must come true about 70% of the "
        "time; thresholds and expected costs are wrong otherwise.",
        fix="Fit a calibrator (Platt scaling or isotonic regression, CalibratedClassifierCV) "
        "on held-out data and re-evaluate; recalibrate after resampling or strong "
        "regularisation.",
        reference="Guo C. et al. (2017), On Calibration of Modern Neural Networks, ICML; "
        "Bröcker J., Smith L. A. (2007), Increasing the reliability of reliability diagrams.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        if outputs.probabilities is None:
            return [Measurement(None, skipped="The model gives no probabilities.")]
        if len(outputs.rows) == 0:
            return [Measurement(None, skipped="No labelled row has a prediction.")]
        probabilities, truth = outputs.probabilities, class_positions(outputs)[0]
        if context.task == "binary":
            positive = int(context.class_index(np.asarray([context.positive_label]))[0])
            confidence = probabilities[:, positive]
            outcome = (truth == positive).astype(float)
            kind = f"probability of {str(context.positive_label)!r}"
        else:
            confidence = probabilities.max(axis=1)
            outcome = (np.argmax(probabilities, axis=1) == truth).astype(float)
            kind = "top-label confidence"
        confidence = np.clip(confidence, 0.0, 1.0)
        edges = bin_edges(confidence, params["n_bins"], params["strategy"])
        n_bins = len(edges) - 1
        bins = assign_bins(confidence, edges)
        counts, mean_confidence, frequency = calibration_table(confidence, outcome, bins, n_bins)
        observed = calibration_errors(
            counts,
            mean_confidence,
            frequency,
            params["min_bin_count"],
            binary=context.task == "binary",
        )
        brier = (
            float(
                sk.brier_score_loss(
                    truth, probabilities, labels=np.arange(len(context.class_labels))
                )
            )
            if context.task == "multiclass"
            else float(np.mean((confidence - outcome) ** 2))
        )
        observed["brier_score"] = brier
        base_rate = self._base_rate(context)
        if context.task == "binary":
            reference = np.mean((base_rate[positive] - outcome) ** 2)
        else:  # the base rates' Brier score, from the class counts instead of a one-hot copy
            shares = np.bincount(truth, minlength=len(base_rate)) / len(truth)
            reference = float(np.sum(base_rate**2) - 2 * np.sum(shares * base_rate) + 1)
        observed["brier_skill_score"] = float(1 - brier / reference) if reference > 0 else None
        rng = np.random.default_rng(params["seed"])
        null = ece_null_distribution(confidence, bins, n_bins, params["resamples"], rng)
        p_value = float(
            (1 + np.sum(null >= observed["expected_calibration_error"])) / (1 + len(null))
        )
        observed["ece_p_value"] = p_value
        used = counts > 0
        evidence = {
            "confidence": kind,
            "reliability_curve": {
                "bin_edges": edges.tolist(),
                "mean_predicted": np.where(used, mean_confidence, np.nan).tolist(),
                "observed_frequency": np.where(used, frequency, np.nan).tolist(),
                "count": counts.astype(int).tolist(),
            },
            "ece_under_perfect_calibration": {
                "median": float(np.median(null)),
                "p95": float(np.quantile(null, 0.95)),
            },
            "base_rate": base_rate.tolist(),
        }
        return [
            Measurement(
                None,
                observed=observed,
                evidence=evidence,
                significant=p_value < params["alpha"],
                test=f"consistency resampling, p = {p_value:.3g}",
                sampling={
                    "method": "consistency resampling",
                    "resamples": params["resamples"],
                    "seed": params["seed"],
                },
            )
        ]

    def _base_rate(self, context: EvaluationContext) -> NDArray[Any]:
        """Class shares of the training labels (else the reference's, else the evaluation's)."""
        for role in ("train", "reference", "evaluation"):
            if context.has_labels(role):
                index = context.class_index(context.labels(role).dropna().to_numpy())
                index = index[index >= 0]
                if len(index):
                    return np.bincount(index, minlength=len(context.class_labels)) / len(index)
        return np.full(len(context.class_labels), 1 / len(context.class_labels))
