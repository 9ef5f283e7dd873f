"""Fairness of a regression model: the error of each group of the sensitive columns."""

from typing import Any

import numpy as np
import pandas as pd
from fairlearn import metrics as fl
from numpy.typing import NDArray
from scipy import stats as scipy_stats
from sklearn import metrics as sk

from apps.evaluations.engine import stats
from apps.evaluations.engine import weighted_metrics as wm
from apps.evaluations.engine.checks.fairness import (
    FAIRNESS_PARAMS,
    correct_over_subjects,
    fairness_subjects,
    group_codes,
    judged_groups,
    present,
)
from apps.evaluations.engine.checks.inputs import labelled_columns, labelled_outputs
from apps.evaluations.engine.checks.performance import bootstrap_settings
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.registry import Check, CheckDocs, Measurement, register, schema


@register
class RegressionFairness(Check):
    key = "fairness.regression"
    name = "Regression fairness"
    category = "fairness"
    reads = frozenset({"labels", "predictions"})
    task_types = frozenset({"regression"})
    params_schema = schema(**FAIRNESS_PARAMS)
    metrics = {
        "mae_ratio": "Highest group MAE over the lowest.",
        "mae_difference": "Highest group MAE minus the lowest.",
        "mae_spread": "Standard deviation of the group MAEs.",
    }
    default_metric = "mae_ratio"
    docs = CheckDocs(
        what="Mean absolute error per group of each sensitive column and pair of them, the "
        "worst-to-best ratio, difference and spread, with bootstrap intervals and a "
        "Kruskal-Wallis test of equal errors.",
        why="A regression model that errs far more for one group (a price, a dose, a risk "
        "score) treats that group worse even when its average error looks fine.",
        fix="Look at the group's residuals: a systematic sign means a missing feature or "
        "too little training data for the group; reweight, collect data, or model the group.",
        reference="fairlearn MetricFrame documentation; Kruskal W. H., Wallis W. A. (1952).",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        subjects = fairness_subjects(context, params)
        if not subjects:
            return [Measurement(None, skipped="No sensitive column was named.")]
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        errors = np.abs(outputs.predicted - outputs.truth)
        frame = labelled_columns(context, outputs, [name for names in subjects for name in names])
        measured = [self._subject(context, params, frame, columns, errors) for columns in subjects]
        judged = [(m, p_values) for m, p_values in measured if p_values is not None]
        correct_over_subjects(judged, params["alpha"])
        return [measurement for measurement, _ in measured]

    def _subject(
        self,
        context: EvaluationContext,
        params: dict[str, Any],
        frame: pd.DataFrame,
        columns: list[str],
        errors: NDArray[Any],
    ) -> tuple[Measurement, dict[str, float] | None]:
        subject = " & ".join(columns)
        codes, names = group_codes(frame, columns)
        sizes = np.bincount(codes, minlength=len(names))
        judged = judged_groups(sizes, params["min_group_size"])
        by_group = fl.MetricFrame(
            metrics=sk.mean_absolute_error,
            y_true=errors,
            y_pred=np.zeros(len(errors)),
            sensitive_features=codes,
        ).by_group
        evidence = {
            "columns": columns,
            "groups": [
                {
                    "group": names[code],
                    "rows": int(sizes[code]),
                    "judged": code in judged,
                    "mae": present(value),
                }
                for code, value in by_group.items()
            ],
            "min_group_size": params["min_group_size"],
        }
        if len(judged) < 2:
            reason = f"fewer than two groups of {subject} have {params['min_group_size']} rows"
            return Measurement(subject, evidence=evidence, skipped=f"Not judged: {reason}."), None
        position = np.full(len(names), -1)
        position[judged] = np.arange(len(judged))
        mask = position[codes] >= 0
        codes, judged_errors = position[codes[mask]], errors[mask]

        def compute(
            counts: NDArray[np.float64], codes: NDArray[Any], judged_errors: NDArray[Any]
        ) -> dict[str, NDArray[Any]]:
            totals = wm.grouped_counts(counts * judged_errors, codes, len(judged))
            sizes = wm.grouped_counts(counts, codes, len(judged))
            with np.errstate(divide="ignore", invalid="ignore"):
                maes = totals / sizes
            return {
                "mae_ratio": np.nanmax(maes, axis=1) / np.nanmin(maes, axis=1),
                "mae_difference": np.nanmax(maes, axis=1) - np.nanmin(maes, axis=1),
                "mae_spread": np.nanstd(maes, axis=1),
            }

        observed = {
            name: present(values[0])
            for name, values in compute(np.ones((1, len(codes))), codes, judged_errors).items()
        }
        intervals: dict[str, dict[str, Any]] = {}
        sampling: dict[str, Any] | None = None
        if params["n_bootstrap"] > 0:
            intervals, sampling = stats.bootstrap(
                compute, (codes, judged_errors), observed, bootstrap_settings(context, params)
            )
        samples = [judged_errors[codes == k] for k in range(len(judged))]
        p_value = float(scipy_stats.kruskal(*samples).pvalue) if np.ptp(judged_errors) else 1.0
        small = [name for index, name in enumerate(names) if index not in judged]
        measurement = Measurement(
            subject,
            observed=observed,
            ci=intervals,
            evidence=evidence,
            sampling=sampling,
            test="Kruskal-Wallis test of equal errors, Benjamini-Hochberg corrected",
            note=f"groups under {params['min_group_size']} rows not judged: {', '.join(small)}"
            if small
            else "",
        )
        return measurement, dict.fromkeys(self.metrics, p_value)
