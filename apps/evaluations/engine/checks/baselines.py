"""Relative performance: skill over a baseline, and the drop from the reference data.

Relative judgements need no number nobody chose: a model must beat a majority-class (or
median) predictor and a simple linear model trained on the same data, and must not be
significantly worse on the evaluation data than on the reference data.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.dummy import DummyClassifier, DummyRegressor

from apps.evaluations.engine.checks import encoding
from apps.evaluations.engine.checks.inputs import (
    LabelledOutputs,
    class_positions,
    given_frame,
    labelled_outputs,
)
from apps.evaluations.engine.checks.performance import BOOTSTRAP_PARAMS, bootstrap_settings
from apps.evaluations.engine.checks.relative_metrics import (
    CLASSIFICATION_METRICS,
    LOSSES,
    REGRESSION_METRICS,
    error_of,
    metric_for,
    point_value,
    resampled_value,
)
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    boolean,
    choice,
    integer,
    register,
    schema,
)
from apps.evaluations.engine.stats import bootstrap_values, percentile_interval


def _arrays(
    context: EvaluationContext, outputs: LabelledOutputs
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any] | None]:
    if context.task == "regression":
        return outputs.truth, outputs.predicted, None
    true_index, predicted_index = class_positions(outputs)
    return true_index, predicted_index, outputs.probabilities


def _fit_rows(context: EvaluationContext) -> str | None:
    """The labelled dataset a baseline is fitted on, and which it is."""
    for role in ("train", "reference"):
        if context.has_labels(role):
            return role
    return None


@register
class BaselineComparison(Check):
    key = "performance.baseline_comparison"
    name = "Skill over a simple baseline"
    category = "performance"
    reads = frozenset({"labels", "predictions", "reference", "training"})
    params_schema = schema(
        baseline=choice(
            "auto", ["auto", "most_frequent", "prior", "stratified", "median", "mean", "simple"]
        ),
        metric=choice("auto", ["auto", *CLASSIFICATION_METRICS, *REGRESSION_METRICS]),
        require_significance=boolean(False),
        max_rows=integer(50_000, minimum=100),
        max_evaluation_rows=integer(200_000, minimum=1000),
        **BOOTSTRAP_PARAMS,
    )
    metrics = {
        f"{name}_skill": f"1 - model error / baseline error, error from {name}."
        for name in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS)
    }
    default_metric = "balanced_accuracy_skill"
    docs = CheckDocs(
        what="Skill of the model over a baseline fitted on the training data: a dummy "
        "(majority class, prior, median or mean) or a simple linear model. Skill is 1 - "
        "model error / baseline error: 0 is no better than the baseline, 1 is perfect.",
        why="A metric alone hides whether the model learnt anything: on imbalanced data a "
        "high accuracy is reached by answering the majority class.",
        fix="Compare the confusion matrix with the baseline's; check the target is joined to "
        "the right rows and informative features reach the model; use class weights for "
        "imbalance, then revisit features and model capacity.",
        reference="Murphy A. H. (1988), Skill scores based on the mean square error; "
        "scikit-learn DummyClassifier and DummyRegressor documentation.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        metric = metric_for(context, params)
        name: str = params["baseline"]
        if name == "auto":
            name = "median" if context.task == "regression" else "most_frequent"
        role = _fit_rows(context)
        if name == "simple" and role is None:
            return [
                Measurement(
                    None,
                    skipped="The simple baseline model needs labelled "
                    "training (or reference) data.",
                )
            ]
        if metric in ("roc_auc", "log_loss") and outputs.probabilities is None:
            return [
                Measurement(
                    None, skipped=f"{metric} needs probabilities, and the model gives none."
                )
            ]
        truth, predicted, probabilities = _arrays(context, outputs)
        rows, scored = outputs.rows, None
        if name == "simple" and len(rows) > params["max_evaluation_rows"]:
            # Scoring the linear model is costly at a million rows: both errors come from a
            # random sample, and the bootstrap below is the sample's, so stays honest.
            rng = np.random.default_rng(params["seed"])
            scored = np.sort(rng.choice(len(rows), params["max_evaluation_rows"], replace=False))
            rows, truth, predicted = rows[scored], truth[scored], predicted[scored]
            probabilities = None if probabilities is None else probabilities[scored]
        base_labels, base_probabilities = self._baseline(context, params, name, role, rows)
        n_classes = 0 if context.task == "regression" else len(context.class_labels)
        model_value = point_value(metric, truth, predicted, probabilities, n_classes)
        base_value = point_value(metric, truth, base_labels, base_probabilities, n_classes)
        with np.errstate(divide="ignore", invalid="ignore"):  # a perfect baseline: no skill
            skill = 1.0 - np.float64(error_of(metric, model_value)) / error_of(metric, base_value)
        skill_name = f"{metric}_skill"
        observed = {
            skill_name: float(skill) if np.isfinite(skill) else None,
            metric: float(model_value),
            f"{metric}_baseline": float(base_value),
        }
        in_truth = np.unique(truth) if n_classes else None

        def compute(
            counts: NDArray[np.float64],
            truth: NDArray[Any],
            predicted: NDArray[Any],
            probabilities: NDArray[Any],
            base_labels: NDArray[Any],
            base_probabilities: NDArray[Any],
        ) -> dict[str, NDArray[Any]]:
            model = resampled_value(
                metric, counts, truth, predicted, probabilities, n_classes, in_truth
            )
            base = resampled_value(
                metric, counts, truth, base_labels, base_probabilities, n_classes, in_truth
            )
            return {
                skill_name: 1.0 - error_of(metric, model) / error_of(metric, base),
                "error_difference": error_of(metric, model) - error_of(metric, base),
            }

        ci: dict[str, dict[str, Any]] = {}
        sampling: dict[str, Any] | None = None
        significant: bool | None = None
        test = ""
        if params["n_bootstrap"] > 0:
            arrays = (
                truth,
                predicted,
                _or(probabilities, truth, metric),
                base_labels,
                _or(base_probabilities, truth, metric),
            )
            gap = error_of(metric, model_value) - error_of(metric, base_value)
            values, sampling = bootstrap_values(
                compute,
                arrays,
                {**observed, "error_difference": gap},
                bootstrap_settings(context, params),
            )
            interval = percentile_interval(
                values[skill_name], observed[skill_name], params["confidence_level"]
            )
            if interval:
                ci[skill_name] = interval
            # The gate reads the paired difference of the errors, which stays finite
            # where the skill does not (a baseline with no error in some resamples).
            difference = percentile_interval(
                values["error_difference"], gap, params["confidence_level"]
            )
            if params["require_significance"] and difference:
                # Judged only when the whole interval says the model errs more: "worse than
                # the baseline", not "not significantly better".
                significant = difference["low"] > 0 or difference["high"] < 0
                test = f"{difference['level']:.0%} bootstrap interval of the error difference"
        if scored is not None:
            sample = {
                "method": "random labelled rows",
                "rows": len(scored),
                "of_rows": len(outputs.rows),
                "seed": params["seed"],
            }
            sampling = {**(sampling or {"method": "none"}), "scored_rows": sample}
        source = "the evaluation data itself" if role is None else f"the {role} data"
        evidence = {
            "baseline": name,
            "metric": metric,
            "fitted_on": role or "evaluation",
            "model_value": model_value,
            "baseline_value": base_value,
        }
        note = f"baseline {name} fitted on {source}, {metric} {model_value:.4g} vs {base_value:.4g}"
        if scored is not None:
            note += f" on {len(scored):,} random rows of {len(outputs.rows):,}"
        return [
            Measurement(
                None,
                observed=observed,
                ci=ci,
                evidence=evidence,
                sampling=sampling,
                significant=significant,
                test=test,
                note=note,
            )
        ]

    def _baseline(
        self,
        context: EvaluationContext,
        params: dict[str, Any],
        name: str,
        role: str | None,
        rows: NDArray[Any],
    ) -> tuple[NDArray[Any], NDArray[np.float64] | None]:
        """The baseline's labels (class positions) and probabilities on the labelled rows
        at positions `rows` of the evaluation data."""
        if role is None:
            frame, positions = context.frame("evaluation"), rows
        else:
            frame = given_frame(context, role)
            positions = np.flatnonzero(frame[context.target].notna().to_numpy())
        rng = np.random.default_rng(params["seed"])
        if len(positions) > params["max_rows"]:
            positions = positions[np.sort(rng.choice(len(positions), params["max_rows"], False))]
        target = frame[context.target].iloc[positions]
        regression = context.task == "regression"
        y = target.astype(float).to_numpy() if regression else context.class_index(target)
        if not regression:
            positions, y = positions[y >= 0], y[y >= 0]
        if name == "simple":
            numeric, categorical = encoding.split_columns(context.kinds(), context.features)
            model = encoding.simple_model(context.task, numeric, categorical)
            fitted_on = frame.iloc[positions]
            columns = (numeric, categorical, encoding.category_vocabulary(fitted_on, categorical))
            model.fit(encoding.model_frame(fitted_on, *columns), y)
        elif regression:
            model = DummyRegressor(strategy=name if name in ("median", "mean") else "median")
            model.fit(np.zeros((len(y), 1)), y)
        else:
            strategy = name if name in ("most_frequent", "prior", "stratified") else "prior"
            model = DummyClassifier(strategy=strategy, random_state=params["seed"])
            model.fit(np.zeros((len(y), 1)), y)

        # A dummy other than "stratified" answers every row alike: one row, read for all
        # (a million rows' copies were the largest arrays of the run).
        alike = name not in ("simple", "stratified")

        def predict(method: str) -> NDArray[Any]:
            if name == "simple":
                evaluation = context.frame("evaluation")
                return encoding.predict_in_chunks(model, method, evaluation, rows, columns)
            answer: NDArray[Any] = getattr(model, method)(np.zeros((1 if alike else len(rows), 1)))
            return np.broadcast_to(answer, (len(rows), *answer.shape[1:])) if alike else answer

        if regression:
            return predict("predict").astype(float, copy=False), None
        probabilities = np.zeros((1 if alike else len(rows), len(context.class_labels)))
        probabilities[:, model.classes_] = predict("predict_proba")[: len(probabilities)]
        if name == "stratified":
            return np.asarray(predict("predict"), dtype=int), probabilities
        labels = model.classes_[np.argmax(probabilities[:, model.classes_], axis=1)].astype(int)
        shape = (len(rows), probabilities.shape[1])
        if alike:
            return np.broadcast_to(labels, shape[:1]), np.broadcast_to(probabilities, shape)
        return labels, probabilities


@register
class ReferenceComparison(Check):
    key = "performance.reference_comparison"
    name = "Performance against the reference data"
    category = "performance"
    reads = frozenset({"labels", "predictions", "reference"})
    params_schema = schema(
        metric=choice("auto", ["auto", *CLASSIFICATION_METRICS, *REGRESSION_METRICS]),
        **BOOTSTRAP_PARAMS,
    )
    metrics = {
        "relative_drop": "Loss of the metric from reference to evaluation, as a share of "
        "the reference's value (positive is worse).",
        "absolute_drop": "Loss of the metric from reference to evaluation (positive is worse).",
    }
    default_metric = "relative_drop"
    docs = CheckDocs(
        what="The metric on the evaluation data against the same metric on the labelled "
        "reference data, with a bootstrap test of whether the drop is real.",
        why="Degradation on new data is the usual sign that the population or the labelling "
        "changed since the model was validated; being relative, it needs no absolute bar.",
        fix="Look at the drift results for the features that moved and at weak segments; "
        "retrain on recent data if the population really changed.",
        reference="Rabanser S. et al. (2019), Failing Loudly, NeurIPS; Efron B., Tibshirani "
        "R. (1993), An Introduction to the Bootstrap.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        reference = labelled_outputs(context, "reference")
        if isinstance(reference, str):
            return [Measurement(None, skipped=reference)]
        evaluation = labelled_outputs(context)
        if isinstance(evaluation, str):
            return [Measurement(None, skipped=evaluation)]
        metric = metric_for(context, params)
        if metric in ("roc_auc", "log_loss") and evaluation.probabilities is None:
            return [Measurement(None, skipped=f"{metric} needs probabilities.")]
        n_classes = 0 if context.task == "regression" else len(context.class_labels)
        values: dict[str, NDArray[np.float64]] = {}
        points: dict[str, float] = {}
        sampling: dict[str, Any] | None = None
        settings = bootstrap_settings(context, params)
        for role, outputs in (("reference", reference), ("evaluation", evaluation)):
            truth, predicted, probabilities = _arrays(context, outputs)
            points[role] = float(point_value(metric, truth, predicted, probabilities, n_classes))
            in_truth = np.unique(truth) if n_classes else None

            def compute(
                counts: NDArray[np.float64],
                truth: NDArray[Any],
                predicted: NDArray[Any],
                probabilities: NDArray[Any],
                in_truth: NDArray[Any] | None = in_truth,
            ) -> dict[str, NDArray[Any]]:
                return {
                    "value": resampled_value(
                        metric, counts, truth, predicted, probabilities, n_classes, in_truth
                    )
                }

            if params["n_bootstrap"] > 0:
                resampled, sampling = bootstrap_values(
                    compute,
                    (truth, predicted, _or(probabilities, truth, metric)),
                    {"value": points[role]},
                    settings,
                )
                values[role] = resampled["value"]
        sign = 1.0 if metric in LOSSES else -1.0
        absolute = sign * (points["evaluation"] - points["reference"])
        scale = abs(points["reference"]) or np.nan
        observed = {
            "relative_drop": absolute / scale,
            "absolute_drop": absolute,
            f"{metric}_reference": points["reference"],
            f"{metric}_evaluation": points["evaluation"],
        }
        ci: dict[str, dict[str, Any]] = {}
        significant: bool | None = None
        test = ""
        if values:
            drops = sign * (values["evaluation"] - values["reference"])
            for name, spread in (("absolute_drop", drops), ("relative_drop", drops / scale)):
                interval = percentile_interval(spread, observed[name], params["confidence_level"])
                if interval:
                    ci[name] = interval
            p_value = float(np.mean(drops <= 0))
            significant = p_value < 1 - params["confidence_level"]
            test = f"bootstrap, one-sided p = {p_value:.3g}"
        note = (
            f"{metric} is {points['evaluation']:.4g} on the evaluation data and "
            f"{points['reference']:.4g} on the reference data"
        )
        return [
            Measurement(
                None,
                observed=observed,
                ci=ci,
                sampling=sampling,
                significant=significant,
                test=test,
                note=note,
                evidence={"metric": metric, **points},
            )
        ]


def _or(probabilities: NDArray[Any] | None, fallback: NDArray[Any], metric: str) -> NDArray[Any]:
    """The probabilities when the metric reads them, else a discrete stand-in (`stats`)."""
    if probabilities is not None and metric in ("log_loss", "roc_auc"):
        return probabilities
    return fallback
