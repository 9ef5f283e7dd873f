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


def confusion_matrix(outputs, n_classes: int) -> np.ndarray:
    """Rows true classes, columns predicted classes, over all the model's classes."""
    cells = outputs.true_index * n_classes + outputs.predicted_index
    return np.bincount(cells, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_scores(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall and F1 (0 where undefined, as zero_division=0)."""
    tp = np.diagonal(matrix).astype(float)
    support, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
    return precision, recall, f1


def classification_point(outputs, n_classes: int, positive: int | None, min_support: int):
    """The classification metrics for labelled outputs (labels encoded as class positions),
    from one confusion matrix; they equal scikit-learn's (the tests check it), which at a
    million rows spends most of its time finding the labels again for every metric."""
    y = outputs.true_index
    matrix = confusion_matrix(outputs, n_classes)
    # scikit-learn's averages run over the classes seen in the truth or the predictions
    present = np.flatnonzero(matrix.sum(axis=0) + matrix.sum(axis=1))
    mapped = None
    if positive is not None and positive in present:
        mapped = int(np.searchsorted(present, positive))
    seen = matrix[np.ix_(present, present)][None].astype(float)
    values = {name: float(value[0]) for name, value in wm.confusion_metrics(seen, mapped).items()}
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
            values["roc_auc"] = sk.roc_auc_score(y == positive, probabilities[:, positive])
            values["pr_auc"] = sk.average_precision_score(y == positive, probabilities[:, positive])
        elif classes_in_truth == n_classes:
            values["roc_auc"] = sk.roc_auc_score(
                y, probabilities, multi_class="ovr", labels=np.arange(n_classes)
            )
            onehot = np.eye(n_classes)[y]
            values["pr_auc"] = sk.average_precision_score(onehot, probabilities, average="macro")
        values["log_loss"] = sk.log_loss(y, probabilities, labels=np.arange(n_classes))
    return {name: (None if value is None else float(value)) for name, value in values.items()}


CURVE_POINTS = 200
_MAX_CURVE_CLASSES = 10


def _thinned(*columns: np.ndarray, points: int) -> list[list[float]]:
    """Evenly spaced points of a curve (first and last kept), rounded for a small JSON."""
    keep = np.unique(np.linspace(0, len(columns[0]) - 1, min(points, len(columns[0]))).round())
    return [np.round(column[keep.astype(int)], 4).tolist() for column in columns]


def ranked_counts(hits: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False and true positives above each distinct score, highest first: the one sort
    both curves need (scikit-learn's roc_curve and precision_recall_curve sort each)."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    last = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    true_positives = np.cumsum(hits[order])[last]
    return last + 1 - true_positives, true_positives


def roc_pr_curves(
    truth: np.ndarray, probabilities: np.ndarray, positive: int | None, classes: list[str]
) -> dict:
    """ROC and precision-recall curves thinned to at most 200 points (100 per class when
    there are several): of the positive class (binary), else one-vs-rest of up to ten
    classes present in the truth."""
    if positive is not None:
        shown = [positive]
    else:
        shown = [k for k in range(len(classes)) if 0 < np.sum(truth == k) < len(truth)]
        shown = shown[:_MAX_CURVE_CLASSES]
    points = CURVE_POINTS if len(shown) == 1 else CURVE_POINTS // 2
    roc, pr = [], []
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


def score_cells(outputs, scores: np.ndarray, n_classes: int, bins: int = 500) -> np.ndarray:
    """Rows grouped by true class, predicted class and score quantile bin: at a million
    rows the bootstrap resamples these cells instead of the rows (see `stats`)."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)[1:-1]))
    score_bin = np.searchsorted(edges, scores, side="right")
    return (outputs.true_index * n_classes + outputs.predicted_index) * bins + score_bin


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
        counts, true_index, predicted_index, true_present, predicted_present, probabilities, losses
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
            values["log_loss"] = wm.weighted_mean(counts, losses)
        return values

    return compute


@register
class ClassificationPerformance(Check):
    key = "performance.classification"
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
            probabilities if with_probabilities else outputs.true_index,
            wm.log_loss_per_row(probabilities, outputs.true_index)
            if with_probabilities
            else outputs.true_index,
        )
        intervals, sampling = {}, None
        if params["n_bootstrap"] > 0:
            settings = bootstrap_settings(context, params)
            large = len(outputs.rows) > settings.max_rows
            key = None
            if with_probabilities and positive is not None and large:
                key = score_cells(outputs, probabilities[:, positive], n_classes)
            intervals, sampling = bootstrap(compute, arrays, observed, settings, key)
        interval = intervals.get("balanced_accuracy")
        observed["balanced_accuracy_ci_width"] = (
            interval["high"] - interval["low"] if interval else None
        )
        classes = [str(label) for label in context.classes]
        matrix = confusion_matrix(outputs, n_classes)
        precision, recall, f1 = per_class_scores(matrix)
        count = matrix.sum(axis=1)
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
        if with_probabilities:
            evidence.update(roc_pr_curves(outputs.true_index, probabilities, positive, classes))
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
