"""Anomalies of a regression model's outputs: residuals far from the typical residual,
against the share the normal tail gives (the family's other checks: `anomalies`)."""

from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from apps.evaluations.engine.checks.anomalies import ALPHA_PARAM, SHOWN_ROWS
from apps.evaluations.engine.checks.inputs import labelled_outputs
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    integer,
    number,
    register,
    schema,
)


def _excess_p(observed: int, trials: int, expected_rate: float) -> float:
    """One-sided binomial p-value of seeing at least `observed` events."""
    if trials == 0:
        return 1.0
    return float(scipy_stats.binomtest(observed, trials, min(max(expected_rate, 1e-12), 1.0),
                                       alternative="greater").pvalue)  # fmt: skip


@register
class ResidualOutliers(Check):
    key = "anomaly.residual_outliers"
    name = "Residual outliers"
    category = "anomaly"
    reads = frozenset({"labels", "predictions"})
    task_types = frozenset({"regression"})
    params_schema = schema(
        z_cutoff=number(3.5, minimum=1.0),
        top_rows=integer(100, minimum=0, maximum=10_000),
        alpha=ALPHA_PARAM,
    )
    metrics = {
        "residual_outlier_share": "Share of labelled rows whose residual's robust z-score "
        "(median and MAD) exceeds `z_cutoff`."
    }
    default_metric = "residual_outlier_share"
    docs = CheckDocs(
        what="Residuals far from the typical residual, measured in robust standard "
        "deviations (1.4826 times the MAD), against the share a normal error would give.",
        why="A few huge errors hide in a good MAE; they are often wrong labels or a "
        "segment the model does not cover.",
        fix="Read the flagged rows: fix wrong targets; otherwise find what they share and "
        "model it (a feature, a segment, a robust loss).",
        reference="Iglewicz B., Hoaglin D. (1993), How to Detect and Handle Outliers.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        residuals = outputs.predicted - outputs.truth
        spread = 1.4826 * np.median(np.abs(residuals - np.median(residuals)))
        if spread == 0:
            return [Measurement(None, skipped="The residuals have no spread to measure.")]
        z = np.abs(residuals - np.median(residuals)) / spread
        outlying = z > params["z_cutoff"]
        count = int(outlying.sum())
        expected = 2 * scipy_stats.norm.sf(params["z_cutoff"])
        p_value = _excess_p(count, len(residuals), expected)
        order = np.argsort(-z)[:count]
        flagged = outputs.rows[order[: params["top_rows"]]]
        shown = [
            {"row": int(outputs.rows[index]), "residual": float(residuals[index]),
             "robust_z": float(z[index])}
            for index in order[:SHOWN_ROWS]
        ]  # fmt: skip
        return [
            Measurement(
                None,
                observed={"residual_outlier_share": count / len(residuals)},
                evidence={
                    "outliers": count,
                    "expected_share_if_normal": expected,
                    "robust_sd": spread,
                    "p_value": p_value,
                    "top_rows": flagged.tolist(),
                    "shown_rows": shown,
                },
                flagged_rows=flagged.tolist(),
                significant=p_value < params["alpha"],
                test=f"binomial test against the normal tail {expected:.2g}, p = {p_value:.3g}",
            )
        ]
