"""Predictive performance on the evaluation set, with bootstrap confidence intervals."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn import metrics as sk

from apps.evaluations.engine import weighted_metrics as wm
from apps.evaluations.engine.checks.inputs import LabelledOutputs, class_positions, labelled_outputs
from apps.evaluations.engine.checks.performance_curves import binary_areas, roc_pr_curves
from apps.evaluations.engine.context import EvaluationContext
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


def bootstrap_settings(context: EvaluationContext, params: dict[str, Any]) -> BootstrapSettings:
    return BootstrapSettings(
        resamples=params["n_bootstrap"],
        level=params["confidence_level"],
        max_rows=context.settings.bootstrap_max_rows,
        seed=params["seed"],
    )


def confusion_matrix(outputs: LabelledOutputs, n_classes: int) -> NDArray[Any]:
    """Rows true classes, columns predicted classes, over all the model's classes."""
    true_index, predicted_index = class_positions(outputs)
    cells = true_index * n_classes + predicted_index
    return np.bincount(cells, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_scores(matrix: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Per-class precision, recall and F1 (0 where undefined, as zero_division=0)."""
    tp = np.diagonal(matrix).astype(float)
    support, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
    return precision, recall, f1


def classification_point(
    outputs: LabelledOutputs, n_classes: int, positive: int | None, min_support: int
) -> dict[str, float | None]:
    """The classification metrics for labelled outputs (labels encoded as class positions),
    from one confusion matrix; they equal scikit-learn's (the tests check it), which at a
    million rows spends most of its time finding the labels again for every metric."""
    y = class_positions(outputs)[0]
    matrix = confusion_matrix(outputs, n_classes)
    # scikit-learn's averages run over the classes seen in the truth or the predictions
    present = np.flatnonzero(matrix.sum(axis=0) + matrix.sum(axis=1))
    mapped = None
    if positive is not None and positive in present:
        mapped = int(np.searchsorted(present, positive))
    seen = matrix[np.ix_(present, present)][None].astype(float)
    values: dict[str, float | None] = {
        name: float(value[0]) for name, value in wm.confusion_metrics(seen, mapped).items()
    }
    if positive is not None and mapped is None:
        values.update({"precision": 0.0, "recall": 0.0, "f1": 0.0})
    support = matrix.sum(axis=1)
    recall_per_class = per_class_scores(matrix)[1]
    eligible = support >= min_support
    values["min_class_recall"] = float(recall_per_class[eligible].min()) if eligible.any() else None
    probabilities = outputs.probabilities
    classes_in_truth = int((support > 0).sum())
    if probabilities is not None and classes_in_truth > 1:
        if positive is not None:
            values["roc_auc"], values["pr_auc"] = binary_areas(
                y == positive, probabilities[:, positive]
            )
        elif classes_in_truth == n_classes:
            values["roc_auc"] = sk.roc_auc_score(
                y, probabilities, multi_class="ovr", labels=np.arange(n_classes)
            )
            onehot = np.eye(n_classes)[y]
            values["pr_auc"] = sk.average_precision_score(onehot, probabilities, average="macro")
        values["log_loss"] = log_loss(y, probabilities)
    return {name: (None if value is None else float(value)) for name, value in values.items()}


def log_loss(truth: NDArray[np.intp], probabilities: NDArray[Any]) -> float:
    """Mean negative log of the probability given to the true class, clipped as
    scikit-learn's log_loss clips (to the float type's epsilon), without its label search."""
    eps = np.finfo(probabilities.dtype).eps if probabilities.dtype.kind == "f" else 1e-15
    given = np.take_along_axis(probabilities, truth[:, None], axis=1)[:, 0]
    if given.dtype.kind != "f":  # probabilities given as whole numbers
        given = given.astype(float)
    np.clip(given, eps, 1 - eps, out=given)
    return float(-np.mean(np.log(given, out=given)))


def score_cells(
    outputs: LabelledOutputs, scores: NDArray[Any], n_classes: int, bins: int = 500
) -> NDArray[Any]:
    """Rows grouped by true class, predicted class and score quantile bin: at a million
    rows the bootstrap resamples these cells instead of the rows (see `stats`)."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)[1:-1]))
    score_bin = np.searchsorted(edges, scores, side="right")
    true_index, predicted_index = class_positions(outputs)
    return (true_index * n_classes + predicted_index) * bins + score_bin


def present_classes(
    outputs: LabelledOutputs, positive: int | None, eligible: NDArray[np.intp]
) -> tuple[NDArray[Any], NDArray[Any], int | None, NDArray[Any], int]:
    """Class positions remapped to the classes present in truth or predictions, as
    scikit-learn's averages use them: (true, predicted, positive, eligible, count)."""
    true_index, predicted_index = class_positions(outputs)
    n_classes = max(int(true_index.max(initial=0)), int(predicted_index.max(initial=0))) + 1
    seen = np.bincount(true_index, minlength=n_classes) + np.bincount(
        predicted_index, minlength=n_classes
    )
    present = np.flatnonzero(seen)
    if len(present) == n_classes:  # the usual case: every class, no remapped copies
        unseen_positive = positive is not None and positive >= n_classes
        return true_index, predicted_index, -1 if unseen_positive else positive, eligible, n_classes
    remap = np.full(max(present.max(initial=0) + 1, 1), -1)
    remap[present] = np.arange(len(present))
    mapped_positive = None
    if positive is not None:
        mapped_positive = int(remap[positive]) if positive < len(remap) else -1
    return (
        remap[true_index],
        remap[predicted_index],
        mapped_positive,
        remap[eligible],
        len(present),
    )


def classification_resampled(
    positive: int | None, n_classes: int, present: Sequence[Any], with_probabilities: bool
) -> Callable[..., dict[str, NDArray[Any]]]:
    """The bootstrap's compute function for the classification metrics; `present` is the
    positive class, the eligible classes and their count of `present_classes`."""
    present_positive, present_eligible, n_present = present

    def compute(
        counts: NDArray[np.float64],
        true_index: NDArray[Any],
        predicted_index: NDArray[Any],
        true_present: NDArray[Any],
        predicted_present: NDArray[Any],
        probabilities: NDArray[Any],
        losses: NDArray[Any],
    ) -> dict[str, NDArray[Any]]:
        matrices = wm.confusion_matrices(counts, true_present, predicted_present, n_present)
        if present_positive is not None and present_positive < 0:
            values = wm.confusion_metrics(matrices, None, present_eligible)
        else:
            values = wm.confusion_metrics(matrices, present_positive, present_eligible)
        if with_probabilities:
            if positive is not None:
                scores, hits = probabilities[:, positive], true_index == positive
                values["roc_auc"], values["pr_auc"] = wm.ranking_areas(counts, scores, hits)
            else:
                values["roc_auc"] = wm.macro_one_vs_rest(
                    wm.roc_auc, counts, probabilities, true_index
                )
                values["pr_auc"] = wm.macro_one_vs_rest(
                    wm.average_precision, counts, probabilities, true_index
                )
            values["log_loss"] = wm.weighted_mean(counts, losses)
        return values

    return compute


@register
class ClassificationPerformance(Check):
    key = "performance.classification"
    name = "Classification performance"
    category = "performance"
    reads = frozenset({"labels", "predictions", "probabilities"})
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
        "interval, plus the confusion matrix, a per-class report and, with probabilities, the "
        "ROC and precision-recall curves.",
        why="They say how often and how the model is wrong; the interval says how much the "
        "numbers could move on another sample of the same size.",
        fix="Read the confusion matrix and the per-class report to find the classes the model "
        "confuses; add data or features for them, use class weights for rare classes.",
        reference="scikit-learn metrics documentation; Efron B., Tibshirani R. (1993), An "
        "Introduction to the Bootstrap.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        if len(outputs.rows) == 0:
            return [
                Measurement(None, skipped="No evaluation row has both a label and a prediction.")
            ]
        true_index, predicted_index = class_positions(outputs)
        n_classes = len(context.class_labels)
        positive = None
        if context.task == "binary":
            positive = int(context.class_index(np.asarray([context.positive_label]))[0])
        support = np.bincount(true_index, minlength=n_classes)
        eligible = np.flatnonzero(support >= params["min_class_support"])
        observed = classification_point(outputs, n_classes, positive, params["min_class_support"])
        # The probabilities, when the metrics read them (not when one class is in the truth).
        probabilities = outputs.probabilities if "roc_auc" in observed else None
        with_probabilities = probabilities is not None
        true_present, predicted_present, *present = present_classes(outputs, positive, eligible)
        compute = classification_resampled(positive, n_classes, present, with_probabilities)
        arrays = (
            true_index,
            predicted_index,
            true_present,
            predicted_present,
            probabilities if probabilities is not None else true_index,
            wm.log_loss_per_row(probabilities, true_index)
            if probabilities is not None
            else true_index,
        )
        intervals: dict[str, dict[str, Any]] = {}
        sampling: dict[str, Any] | None = None
        if params["n_bootstrap"] > 0:
            settings = bootstrap_settings(context, params)
            large = len(outputs.rows) > settings.max_rows
            key = None
            if probabilities is not None and positive is not None and large:
                key = score_cells(outputs, probabilities[:, positive], n_classes)
            intervals, sampling = bootstrap(compute, arrays, observed, settings, key)
            del key
        del arrays  # its per-row losses: a million rows' curves are drawn next
        interval = intervals.get("balanced_accuracy")
        observed["balanced_accuracy_ci_width"] = (
            interval["high"] - interval["low"] if interval else None
        )
        classes = [str(label) for label in context.class_labels]
        matrix = confusion_matrix(outputs, n_classes)
        precision, recall, f1 = per_class_scores(matrix)
        count = matrix.sum(axis=1)
        evidence: dict[str, Any] = {
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
        if probabilities is not None:
            evidence.update(roc_pr_curves(true_index, probabilities, positive, classes))
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
    name = "Regression performance"
    category = "performance"
    reads = frozenset({"labels", "predictions"})
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

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
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
        intervals: dict[str, dict[str, Any]] = {}
        sampling: dict[str, Any] | None = None
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
