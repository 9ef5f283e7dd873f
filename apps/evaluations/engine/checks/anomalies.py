"""Anomalies in inputs and outputs: outlying rows, confidently wrong predictions,
predictions outside the plausible range, and outlying residuals (`anomalies_regression`).

Each share is compared with what healthy data would give (the reference's own outlier
rate, the errors a calibrated model is expected to make at its confidence, the normal
tail of residuals); a share above its bound fails only when it is also significantly
above that expectation.
"""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as scipy_stats
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.encoding import ordinal_codes, split_columns
from apps.evaluations.engine.checks.inputs import class_positions, given_frame, labelled_outputs
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

ALPHA_PARAM = number(0.01, minimum=0.0001, maximum=0.5)
SHOWN_ROWS = 50  # rows listed with their scores in the evidence, for the run page
BACKGROUND_ROWS = 200  # ordinary rows drawn behind the outliers in the scatter


def _rounded(values: ArrayLike) -> list[float]:
    return [float(f"{value:.4g}") for value in np.asarray(values, dtype=float)]


def outlier_map(
    fit: NDArray[Any], scored: NDArray[Any], scores: NDArray[Any], order: NDArray[Any], seed: int
) -> dict[str, Any]:
    """The most isolated rows and a sample of all scored rows on the first two principal
    components of the standardised inputs (fitted on the reference rows), for a scatter."""
    centre, scale = fit.mean(axis=0), fit.std(axis=0)
    scale[scale == 0] = 1.0
    components = min(2, fit.shape[1])
    pca = PCA(n_components=components, random_state=seed).fit((fit - centre) / scale)

    def coordinates(rows: NDArray[Any]) -> NDArray[Any]:
        projected: NDArray[Any] = pca.transform((scored[rows] - centre) / scale)
        if components == 1:
            projected = np.column_stack([projected[:, 0], np.zeros(len(rows))])
        return projected

    shown = order[:SHOWN_ROWS]
    background = _sample(len(scored), BACKGROUND_ROWS, seed + 2)
    top_xy, background_xy = coordinates(shown), coordinates(background)
    return {
        "axes": [f"component {k + 1}" for k in range(2)],
        "explained_variance": _rounded(
            np.pad(pca.explained_variance_ratio_, (0, 2 - components))
        ),
        "outliers": {"x": _rounded(top_xy[:, 0]), "y": _rounded(top_xy[:, 1]),
                     "score": _rounded(-scores[shown])},
        "sample": {"x": _rounded(background_xy[:, 0]), "y": _rounded(background_xy[:, 1]),
                   "score": _rounded(-scores[background])},
    }  # fmt: skip


def _sample(rows: int, limit: int, seed: int) -> NDArray[Any]:
    if rows <= limit:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))


@register
class InputOutliers(Check):
    key = "anomaly.input_outliers"
    name = "Input outliers"
    needs = "data"
    category = "anomaly"
    reads = frozenset({"reference", "training"})
    params_schema = schema(
        method=choice("isolation_forest", ["isolation_forest"]),
        contamination=number(0.01, minimum=0.0001, maximum=0.5),
        reference=choice("auto", ["auto", "reference", "train"]),
        max_fit_rows=integer(20_000, minimum=100),
        max_rows=integer(100_000, minimum=100),
        top_rows=integer(100, minimum=0, maximum=10_000),
        alpha=ALPHA_PARAM,
        seed=integer(0),
    )
    metrics = {
        "outlier_share": "Share of evaluation rows scored as more isolated than all but "
        "`contamination` of the reference rows.",
        "excess_outlier_share": "Outlier share minus the held-out reference rows' own "
        "(healthy data: about 0); significant only when Fisher's exact test finds it above.",
    }
    default_metric = "outlier_share"
    docs = CheckDocs(
        what="An IsolationForest fitted on half the reference (or training) rows scores each "
        "evaluation row; rows more isolated than the `contamination` share of the other, "
        "held-out half are outliers. Healthy data give about `contamination`, so the "
        "default criterion judges the excess over the held-out rows' share: it fails when "
        "the excess passes a small floor and Fisher's exact test finds it significant, "
        "however low the share itself (3% where healthy data give 2% is found).",
        why="Rows unlike anything the model was checked on get predictions nobody has "
        "validated: a broken feed, a unit change, a new kind of customer.",
        fix="Read the flagged rows: fix the pipeline when they are errors; when they are "
        "real, collect and label such rows and retrain.",
        reference="Liu F. T., Ting K. M., Zhou Z.-H. (2008), Isolation Forest, ICDM; "
        "scikit-learn IsolationForest documentation.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        role = context.comparison_role(params["reference"], prefer=("reference", "train"))
        if role is None:
            return [
                Measurement(
                    None,
                    skipped="Input outliers are judged against reference or training data; "
                    "neither was given.",
                )
            ]
        numeric, categorical = split_columns(context.kinds(), context.features)
        reference, evaluation = given_frame(context, role), context.frame("evaluation")
        columns = [name for name in numeric + categorical if name in reference.columns]
        numeric = [name for name in numeric if name in columns]
        categorical = [name for name in categorical if name in columns]
        if not columns:
            return [Measurement(None, skipped="No numeric or categorical feature to score.")]
        if len(reference) < 200:
            return [Measurement(None, skipped=f"The {role} data has {len(reference)} rows; "
                                "outliers are judged against at least 200.")]  # fmt: skip
        # Half the reference rows fit the forest, the other half set the cutoff: scores of
        # rows the forest was fitted on are biased, held-out ones are not.
        reference_rows = _sample(len(reference), 2 * params["max_fit_rows"], params["seed"])
        fit_rows, held_out = reference_rows[::2], reference_rows[1::2]
        scored_rows = _sample(len(evaluation), params["max_rows"], params["seed"] + 1)
        fit, calibration, scored = ordinal_codes(
            [reference.iloc[fit_rows], reference.iloc[held_out], evaluation.iloc[scored_rows]],
            numeric,
            categorical,
        )
        # IsolationForest takes no NaN: a missing value becomes its own extreme code.
        lowest = [np.nanmin(matrix, axis=0, initial=0.0) for matrix in (fit, calibration, scored)]
        fill = np.min(lowest, axis=0) - 1.0  # the three matrices' columns, without a stacked copy
        for matrix in (fit, calibration, scored):
            missing = np.isnan(matrix)
            matrix[missing] = np.take(fill, np.nonzero(missing)[1])
        forest = IsolationForest(n_estimators=100, random_state=params["seed"]).fit(fit)
        reference_scores = forest.score_samples(calibration)
        cutoff = np.quantile(reference_scores, params["contamination"])
        scores = forest.score_samples(scored)
        outlying = scores < cutoff
        count = int(outlying.sum())
        order = np.argsort(scores)[:count]  # most isolated first
        top = scored_rows[order[: params["top_rows"]]]
        # Both shares are estimates: Fisher's exact test of evaluation against reference.
        reference_count = int((reference_scores < cutoff).sum())
        p_value = stats.excess_over_reference_p_value(
            count, len(scored_rows), reference_count, len(held_out)
        )
        share, reference_share = count / max(len(scored_rows), 1), reference_count / len(held_out)
        sampling = None
        if len(scored_rows) < len(evaluation) or len(fit_rows) < len(reference):
            sampling = {
                "method": "random rows",
                "rows": len(scored_rows),
                "of_rows": len(evaluation),
                "fitted_on_rows": len(fit_rows),
                "seed": params["seed"],
            }
        return [
            Measurement(
                None,
                observed={
                    "outlier_share": share,
                    "excess_outlier_share": share - reference_share,
                },
                evidence={
                    "fitted_on": role,
                    "outliers": count,
                    "scored_rows": len(scored_rows),
                    "expected_share": params["contamination"],
                    "reference_share": reference_share,
                    "reference_outliers": reference_count,
                    "reference_rows": len(held_out),
                    "p_value": p_value,
                    "top_rows": top.tolist(),
                    # score_samples is the negated anomaly score of Liu et al.: higher
                    # is more isolated, in (0, 1]
                    "anomaly_score_cutoff": float(-cutoff),
                    "shown_rows": [
                        {"row": int(scored_rows[index]), "anomaly_score": float(-scores[index])}
                        for index in order[:SHOWN_ROWS]
                    ],
                    "map": outlier_map(fit, scored, scores, order, params["seed"]),
                },
                flagged_rows=top.tolist(),
                sampling=sampling,
                significant=p_value < params["alpha"],
                test=f"Fisher's exact test against the held-out reference rows' share of "
                f"{reference_share:.2%}, p = {p_value:.3g}",
            )
        ]


@register
class ConfidentErrors(Check):
    key = "anomaly.confident_errors"
    name = "Confident errors"
    category = "anomaly"
    reads = frozenset({"labels", "predictions", "probabilities"})
    task_types = CLASSIFICATION
    params_schema = schema(
        confidence=number(0.9, minimum=0.5, maximum=1.0),
        top_rows=integer(100, minimum=0, maximum=10_000),
        alpha=ALPHA_PARAM,
    )
    metrics = {
        "confident_error_share": "Share of labelled rows predicted wrongly with a probability "
        "of at least `confidence`.",
        "excess_confident_error_share": "Confident error share minus the share a calibrated "
        "model would make at its confidence (healthy: about 0); significant only when the "
        "Poisson test finds more errors than expected.",
    }
    default_metric = "confident_error_share"
    docs = CheckDocs(
        what="Rows the model gets wrong while giving its prediction a probability of at "
        "least `confidence`, compared with the errors a calibrated model makes at that "
        "confidence (the sum of 1 - p over the confident rows). The default criterion "
        "judges the excess over that expectation, failing when it passes a small floor and "
        "is significant: a well-calibrated model errs at 95% confidence 5% of the time.",
        why="Confident errors are the costly ones: nobody double-checks them. A cluster of "
        "them points to wrong labels or a region the model has learned wrongly.",
        fix="Read the flagged rows: relabel them when the labels are wrong; otherwise find "
        "what they share (a segment, a value) and add such rows to training.",
        reference="Northcutt C., Jiang L., Chuang I. (2021), Confident Learning: Estimating "
        "Uncertainty in Dataset Labels, JAIR.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        if outputs.probabilities is None:
            return [Measurement(None, skipped="The model gives no probabilities.")]
        confidence = outputs.probabilities.max(axis=1)
        confident = confidence >= params["confidence"]
        true_index, predicted_index = class_positions(outputs)
        wrong = confident & (predicted_index != true_index)
        count, rows = int(wrong.sum()), len(outputs.rows)
        expected = float((1 - confidence[confident]).sum())
        # A sum of Bernoulli trials with small chances: its Poisson tail is accurate for the
        # few errors expected at high confidence, and errs on the side of caution.
        p_value = (
            float(scipy_stats.poisson.sf(count - 1, expected))
            if expected > 0
            else float(count == 0)
        )
        wrong_rows = np.flatnonzero(wrong)[np.argsort(-confidence[wrong])]
        flagged = outputs.rows[wrong_rows[: params["top_rows"]]]
        classes = [str(label) for label in context.class_labels]
        shown = [
            {"row": int(outputs.rows[index]), "confidence": float(confidence[index]),
             "predicted": classes[predicted_index[index]],
             "label": classes[true_index[index]]}
            for index in wrong_rows[:SHOWN_ROWS]
        ]  # fmt: skip
        return [
            Measurement(
                None,
                observed={
                    "confident_error_share": count / max(rows, 1),
                    "excess_confident_error_share": (count - expected) / max(rows, 1),
                },
                evidence={
                    "confident_rows": int(confident.sum()),
                    "confident_errors": count,
                    "expected_if_calibrated": expected,
                    "p_value": p_value,
                    "top_rows": flagged.tolist(),
                    "shown_rows": shown,
                },
                flagged_rows=flagged.tolist(),
                significant=p_value < params["alpha"],
                test=f"{count} confident errors against {expected:.1f} expected from the "
                f"model's own confidence, p = {p_value:.3g}",
            )
        ]


@register
class OutputRange(Check):
    key = "anomaly.output_range"
    name = "Implausible predictions"
    category = "anomaly"
    reads = frozenset({"labels", "predictions", "probabilities", "reference", "training"})
    params_schema = schema(
        range_tolerance=number(0.1, minimum=0.0),
        reference=choice("auto", ["auto", "reference", "train"]),
        top_rows=integer(100, minimum=0, maximum=10_000),
    )
    metrics = {
        "out_of_range_prediction_share": "Share of rows whose prediction is missing, not "
        "finite, or (regression) outside the reference target range widened by "
        "`range_tolerance` of its width; (classification) a probability outside [0, 1]."
    }
    default_metric = "out_of_range_prediction_share"
    docs = CheckDocs(
        what="Predictions that cannot be right: missing or infinite values, probabilities "
        "outside [0, 1] or not summing to 1, regression values far outside the range of "
        "the target seen in the reference or training data.",
        why="Such outputs flow into decisions unchecked; they usually reveal an "
        "extrapolating model or a broken input.",
        fix="Read the flagged rows' inputs; clip or reject outputs in serving and fix the "
        "inputs or the model's extrapolation (bounded targets, monotone constraints).",
        reference="Breck E. et al. (2017), The ML Test Score: A Rubric for ML Production "
        "Readiness, IEEE Big Data.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        predictions = context.predictions("evaluation")
        if predictions is None:
            return [Measurement(None, skipped="The evaluation data has no predictions.")]
        evidence: dict[str, Any] = {}
        if context.task == "regression":
            values = np.asarray(predictions.labels, dtype=float)
            bad = ~np.isfinite(values)
            role = context.comparison_role(params["reference"])
            if role is not None and context.has_labels(role):
                target = context.labels(role).to_numpy(dtype=float)
                low, high = np.nanmin(target), np.nanmax(target)
                margin = params["range_tolerance"] * (high - low)
                bad |= (values < low - margin) | (values > high + margin)
                evidence["allowed_range"] = [low - margin, high + margin]
        else:
            probabilities = predictions.probabilities
            if probabilities is None:
                # one label per evaluation row (`predictions` checks the count)
                bad = np.zeros(len(context.frame("evaluation")), dtype=bool)
            else:
                bad = ~np.isfinite(probabilities).all(axis=1)
                bad |= ((probabilities < -1e-9) | (probabilities > 1 + 1e-9)).any(axis=1)
                bad |= np.abs(probabilities.sum(axis=1) - 1) > 1e-3
        flagged = np.flatnonzero(bad)[: params["top_rows"]]
        evidence["out_of_range_rows"] = int(bad.sum())
        return [
            Measurement(
                None,
                observed={"out_of_range_prediction_share": float(bad.mean()) if len(bad) else 0.0},
                evidence=evidence,
                flagged_rows=flagged.tolist(),
            )
        ]
