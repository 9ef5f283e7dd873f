"""Drift of the model's outputs and of the labels between the reference and the evaluation
data, with the statistics of column drift (`drift.compare`)."""

from typing import Any, cast

import numpy as np
import pandas as pd

from apps.evaluations.engine.checks.drift import (
    COLUMN_METRICS,
    DRIFT_PARAMS,
    compare,
    measurement,
)
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.data import CATEGORICAL, NUMERIC
from apps.evaluations.engine.registry import Check, CheckDocs, Measurement, register, schema
from apps.evaluations.engine.sources import Predictions


@register
class PredictionDrift(Check):
    key = "drift.prediction"
    name = "Prediction drift"
    category = "drift"
    reads = frozenset({"predictions", "probabilities", "reference"})
    params_schema = schema(**DRIFT_PARAMS)
    metrics = COLUMN_METRICS
    default_metric = "psi"
    docs = CheckDocs(
        what="Shift of the model's scores (binary), predicted classes (multiclass) or "
        "predicted values (regression) between the reference and the evaluation data.",
        why="A shift of the scores is the first visible sign of drift when labels arrive late.",
        fix="Check whether feature drift explains it; a score shift alone points to a change "
        "in the model or its preprocessing.",
        reference="Siddiqi N. (2006), Credit Risk Scorecards (population stability index).",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        if context.frame("reference") is None:
            return [Measurement("prediction", skipped="No reference data was given.")]
        outputs = {role: context.predictions(role) for role in ("reference", "evaluation")}
        if any(value is None for value in outputs.values()):
            return [
                Measurement(
                    "prediction",
                    skipped="There are no predictions for both the "
                    "reference and the evaluation data.",
                )
            ]
        series, kind = {}, CATEGORICAL
        # No value is None after the check above.
        for role, predictions in cast(dict[str, Predictions], outputs).items():
            if context.task == "regression":
                series[role], kind = pd.Series(predictions.labels, dtype=float), NUMERIC
            elif context.task == "binary" and predictions.probabilities is not None:
                positive = int(context.class_index(np.asarray([context.positive_label]))[0])
                series[role] = pd.Series(predictions.probabilities[:, positive])
                kind = NUMERIC
            else:
                series[role] = pd.Series(predictions.labels).astype("string")
        values = compare(series["reference"], series["evaluation"], kind, params)
        if isinstance(values, str):
            return [Measurement("prediction", skipped=f"Not tested: {values}.")]
        return [measurement("prediction", values, values["p_value"], params["alpha"], "p")]


@register
class LabelDrift(Check):
    key = "drift.label"
    name = "Label drift"
    needs = "data"
    category = "drift"
    reads = frozenset({"labels", "reference"})
    params_schema = schema(**DRIFT_PARAMS)
    metrics = COLUMN_METRICS
    default_metric = "jensen_shannon_distance"
    docs = CheckDocs(
        what="Shift of the target's distribution between the reference and the evaluation "
        "data (class shares, or the histogram of a numeric target).",
        why="When the base rate moves (prior shift), thresholds and calibration tuned on the "
        "old rates go wrong.",
        fix="A changed base rate with stable features calls for recalibration or new "
        "thresholds; a changed labelling policy calls for relabelling the training data.",
        reference="Lipton Z. et al. (2018), Detecting and Correcting for Label Shift with "
        "Black Box Predictors, ICML.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        if not (context.has_labels("reference") and context.has_labels("evaluation")):
            return [
                Measurement(
                    context.target,
                    skipped="Both the reference and the evaluation data need labels.",
                )
            ]
        kind = NUMERIC if context.task == "regression" else CATEGORICAL
        values = compare(
            context.labels("reference").dropna(),
            context.labels("evaluation").dropna(),
            kind,
            params,
        )
        if isinstance(values, str):
            return [Measurement(context.target, skipped=f"Not tested: {values}.")]
        return [measurement(context.target, values, values["p_value"], params["alpha"], "p")]
