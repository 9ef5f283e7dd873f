"""Performance estimated on a batch whose labels have not arrived yet (confidence-based
performance estimation, as NannyML's CBPE), compared with the reference's realised one.

It holds when the probabilities are calibrated and stay so on the batch: true for a shift of
the inputs (covariate shift, P(y | x) unchanged) when the model's probabilities are the
conditional ones, not for a change of the relation itself (concept drift), which no
estimate without labels can see. So calibration is checked on the labelled reference first
and the probabilities recalibrated there (isotonic regression) when they fail; a model that
cannot be calibrated is skipped with the reason. The arithmetic is in
`confidence_estimation`.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.confidence_estimation import (
    METRICS,
    Calibrator,
    calibration_verdict,
    cross_fitted,
    drawn_metrics,
    expected_metrics,
    realised_metrics,
    score_ranks,
)
from apps.evaluations.engine.checks.inputs import labelled_outputs
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

_CALIBRATOR_BOOTSTRAPS = 40  # refits of the calibrator on resampled reference rows
_METHOD_NAMES = {"platt": "Platt scaling", "isotonic": "isotonic regression"}


@register
class EstimatedPerformance(Check):
    key = "performance.estimated"
    name = "Estimated performance without labels"
    category = "performance"
    task_types = CLASSIFICATION
    # It reads the reference's labels, never the evaluated data's: a production sample
    # without a target column is what it is for (the launch asks for none there).
    reads = frozenset({"labels", "predictions", "probabilities", "reference"})
    params_schema = schema(
        calibration=choice("auto", ["auto", "as_given", "recalibrate"]),
        max_ece=number(0.02, minimum=0.0, maximum=1.0),
        alpha=number(0.01, minimum=0.0001, maximum=0.5),
        confidence_level=number(0.95, minimum=0.5, maximum=0.999),
        n_bins=integer(10, minimum=2, maximum=100),
        resamples=integer(400, minimum=100, maximum=10_000),
        min_rows=integer(100, minimum=10),
        max_rows=integer(200_000, minimum=1000),
        seed=integer(0),
    )
    metrics = {
        "estimated_accuracy_drop": "The reference's realised accuracy minus the accuracy "
        "estimated on the evaluated data (positive: worse than the reference).",
        "estimated_f1_drop": "The same for F1 (binary: of the positive class; multiclass: macro).",
        "estimated_roc_auc_drop": "The same for ROC AUC (multiclass: macro one against the rest).",
        "estimated_accuracy": "Accuracy expected from the calibrated probabilities, without "
        "labels.",
        "estimated_f1": "F1 expected from the calibrated probabilities (expected confusion "
        "matrix).",
        "estimated_roc_auc": "ROC AUC of the expected ROC curve.",
    }
    default_metric = "estimated_accuracy_drop"
    docs = CheckDocs(
        what="Estimates accuracy, F1 and ROC AUC of data without labels from the model's "
        "calibrated probabilities (the expected confusion matrix), with an interval for the "
        "value the labels will show, and compares them with the reference's realised values. "
        "Calibration is tested on the reference first (each class's expected calibration "
        "error within max_ece or within the noise of a calibrated model); failing that, the "
        "probabilities are recalibrated on the reference by isotonic regression, and the "
        "check is skipped if even cross-fitted recalibration fails.",
        why="Labels of production data arrive weeks late; a drop of performance caused by "
        "inputs moving into regions where the model is less sure shows in its probabilities "
        "now.",
        fix="Look at the drifted inputs (drift.columns, drift.important_inputs) to see where "
        "the batch moved; collect labels for that region and retrain. The estimate cannot see "
        "a changed relation between inputs and labels: confirm with realised performance "
        "once labels arrive.",
        reference="NannyML documentation, Confidence-based Performance Estimation (CBPE); "
        "Zadrozny B., Elkan C. (2002), Transforming classifier scores into accurate multiclass "
        "probability estimates, KDD; Bröcker J., Smith L. A. (2007), Increasing the "
        "reliability of reliability diagrams.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        reference = labelled_outputs(context, "reference")
        if isinstance(reference, str):
            return [Measurement(None, skipped=reference)]
        if (
            reference.probabilities is None
            or reference.true_index is None
            or reference.predicted_index is None
        ):
            return [Measurement(None, skipped="The model gives no probabilities.")]
        if len(reference.rows) < params["min_rows"]:
            why = f"Fewer than {params['min_rows']} labelled reference rows with a prediction."
            return [Measurement(None, skipped=why)]
        current = context.predictions("evaluation")
        if current is None or current.probabilities is None:
            return [Measurement(None, skipped="There are no probabilities for the evaluated data.")]
        rng = np.random.default_rng(params["seed"])
        predicted = context.class_index(current.labels)
        rows = np.flatnonzero(predicted >= 0)
        sampling = None
        if len(rows) > params["max_rows"]:
            rows = np.sort(rng.choice(rows, params["max_rows"], replace=False))
            sampling = {"method": "uniform row sample", "rows": len(rows), "seed": params["seed"]}
        if len(rows) < params["min_rows"]:
            why = f"Fewer than {params['min_rows']} evaluated rows with a prediction."
            return [Measurement(None, skipped=why)]
        order = self._class_order(context)
        ref_scores = reference.probabilities[:, order]
        ref_truth = order_index(reference.true_index, order)
        ref_predicted = order_index(reference.predicted_index, order)
        scores = current.probabilities[rows][:, order]
        predicted = order_index(predicted[rows], order)

        calibration = self._calibration(ref_scores, ref_truth, params, rng)
        if isinstance(calibration, str):
            return [Measurement(None, skipped=calibration)]
        calibrators, verdicts = calibration
        probability_sets = [calibrate(scores) for calibrate in calibrators]
        estimated = expected_metrics(probability_sets[0], scores, predicted)
        labelled = realised_metrics(ref_truth[None, :], score_ranks(ref_scores), ref_predicted)
        realised = {name: float(values[0]) for name, values in labelled.items()}
        drawn = drawn_metrics(probability_sets, scores, predicted, params["resamples"], rng)
        # The reference's realised values carry label noise too: its labels redrawn from its
        # calibrated probabilities show how much, for the drop's interval.
        reference_drawn = drawn_metrics(
            [calibrate(ref_scores) for calibrate in calibrators],
            ref_scores,
            ref_predicted,
            params["resamples"],
            rng,
        )
        observed: dict[str, Any] = {}
        intervals: dict[str, dict[str, Any]] = {}
        significant: dict[str, bool] = {}
        for name in METRICS:
            point = estimated[name]
            observed[f"estimated_{name}"] = point
            interval = stats.percentile_interval(drawn[name], point, params["confidence_level"])
            if point is None or not np.isfinite(realised[name]):
                observed[f"estimated_{name}_drop"] = None
                continue
            observed[f"estimated_{name}_drop"] = realised[name] - point
            if interval is not None:
                interval["method"] = "labels drawn from the calibrated probabilities"
                intervals[f"estimated_{name}"] = interval
            reference_noise = reference_drawn[name] - np.nanmean(reference_drawn[name])
            drops = realised[name] - reference_noise - drawn[name]
            drop = stats.percentile_interval(
                drops, realised[name] - point, params["confidence_level"]
            )
            if drop is not None:
                drop["method"] = "labels of both datasets drawn from the calibrated probabilities"
                intervals[f"estimated_{name}_drop"] = drop
                # A change beyond what the labels of either side can explain by chance.
                significant[f"estimated_{name}_drop"] = not drop["low"] <= 0 <= drop["high"]
        evidence = {
            "reference_realised": realised,
            "reference_estimated": expected_metrics(
                calibrators[0](ref_scores), ref_scores, ref_predicted
            ),
            # what the labels still to come should show (the drops' intervals are the ci)
            "realised_value_intervals": {
                name: [interval["low"], interval["high"], interval["level"]]
                for name, interval in intervals.items()
                if not name.endswith("_drop")
            },
            "expected_confusion_matrix": expected_confusion(probability_sets[0], predicted),
            "classes": [str(c) for c in np.asarray(context.class_labels)[order]],
            "calibration": verdicts,
            "evaluated_rows": len(rows),
            "reference_rows": len(ref_truth),
        }
        if context.has_labels("evaluation"):  # labels revealed: how the estimate fared
            evidence["evaluated_realised"] = self._realised(context, rows, order, scores, predicted)
        note = verdicts["used"]
        return [
            Measurement(
                None,
                observed=observed,
                ci=intervals,
                evidence=evidence,
                sampling=sampling,
                significant=significant,
                test="the drop's interval (label noise of both datasets) against zero",
                note=note,
            )
        ]

    def _realised(
        self,
        context: EvaluationContext,
        rows: NDArray[np.intp],
        order: NDArray[np.intp],
        scores: NDArray[Any],
        predicted: NDArray[np.intp],
    ) -> dict[str, float] | None:
        """The metrics the evaluated rows' own labels give, where every row has one."""
        truth = context.class_index(context.labels("evaluation").to_numpy()[rows])
        if np.any(truth < 0):
            return None
        labels = order_index(truth, order)[None, :]
        values = realised_metrics(labels, score_ranks(scores), predicted)
        return {name: float(value[0]) for name, value in values.items()}

    def _class_order(self, context: EvaluationContext) -> NDArray[np.intp]:
        """Class positions with, for a binary task, the positive class second."""
        n_classes = len(context.class_labels)
        if context.task != "binary":
            return np.arange(n_classes)
        positive = int(context.class_index(np.asarray([context.positive_label]))[0])
        return np.array([1 - positive, positive])

    def _calibration(
        self,
        scores: NDArray[Any],
        truth: NDArray[np.intp],
        params: dict[str, Any],
        rng: np.random.Generator,
    ) -> tuple[list[Any], dict[str, Any]] | str:
        """The calibration maps to apply (the first the estimate's, the others refits on
        resampled reference rows for the interval) and what was decided, or why none fits."""
        options = {name: params[name] for name in ("n_bins", "alpha", "max_ece", "resamples")}
        criterion = (
            f"each class's expected calibration error at most {params['max_ece']:g} or within "
            f"the noise of a calibrated model (consistency resampling, alpha {params['alpha']:g})"
        )
        given = calibration_verdict(scores, truth, rng=rng, **options)
        verdicts: dict[str, Any] = {"criterion": criterion, "as_given": given}
        if params["calibration"] != "recalibrate" and given["calibrated"]:
            verdicts["used"] = "the model's probabilities, calibrated on the reference"
            return [lambda values: values], verdicts
        why = (
            f"the probabilities are not calibrated on the reference (worst class's expected "
            f"calibration error {given['worst_ece']:.3f}; criterion: {criterion})"
        )
        if params["calibration"] == "as_given":
            return f"Not estimated: {why}."
        tried = []
        for method in ("platt", "isotonic"):
            refitted = calibration_verdict(
                cross_fitted(scores, truth, method, 5, rng), truth, rng=rng, **options
            )
            verdicts[f"recalibrated_{method}"] = refitted
            tried.append(f"{_METHOD_NAMES[method]} {refitted['worst_ece']:.3f}")
            if refitted["calibrated"]:
                break
        else:
            return (
                f"Not estimated: {why}, and recalibration on the reference does not calibrate "
                f"them either (cross-fitted, worst expected calibration error: "
                f"{', '.join(tried)})."
            )
        calibrators = [Calibrator(scores, truth, method).apply]
        for _ in range(_CALIBRATOR_BOOTSTRAPS):
            resampled = rng.integers(0, len(truth), len(truth))
            calibrators.append(Calibrator(scores[resampled], truth[resampled], method).apply)
        verdicts["used"] = f"probabilities recalibrated on the reference ({_METHOD_NAMES[method]})"
        verdicts["recalibrated"] = refitted
        return calibrators, verdicts


def order_index(index: NDArray[np.intp], order: NDArray[np.intp]) -> NDArray[np.intp]:
    """Class positions renumbered after `order` (the columns' new order)."""
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return inverse[index]


def expected_confusion(
    probabilities: NDArray[Any], predicted: NDArray[np.intp]
) -> list[list[float]]:
    """Expected counts: row the true class, column the predicted one."""
    n_classes = probabilities.shape[1]
    matrix = np.zeros((n_classes, n_classes))
    for k in range(n_classes):
        matrix[:, k] = probabilities[predicted == k].sum(axis=0)
    return matrix.round(2).tolist()
