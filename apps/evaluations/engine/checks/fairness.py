"""Fairness between the groups of sensitive columns, with fairlearn's definitions.

Each sensitive column, and each intersection of two of them, is one subject. Missing
values form their own "(missing)" group. Groups smaller than `min_group_size` are
reported in the evidence but left out of the comparison: a rate measured on a handful of
rows says nothing. A disparity fails only when it passes the threshold AND a test of
equal rates across groups rejects equality (corrected for the number of subjects), so
chance gaps between small groups of healthy data raise no alarm.
"""

from collections.abc import Callable
from itertools import combinations
from typing import Any, cast

import numpy as np
import pandas as pd
from fairlearn import metrics as fl
from numpy.typing import NDArray
from scipy import stats as scipy_stats
from sklearn.metrics import balanced_accuracy_score

from apps.evaluations.engine import stats
from apps.evaluations.engine import weighted_metrics as wm
from apps.evaluations.engine.checks.inputs import (
    class_positions,
    labelled_columns,
    labelled_outputs,
)
from apps.evaluations.engine.checks.performance import BOOTSTRAP_PARAMS, bootstrap_settings
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.registry import (
    CLASSIFICATION,
    Check,
    CheckDocs,
    Measurement,
    boolean,
    columns_param,
    integer,
    number,
    register,
    schema,
)

MISSING = "(missing)"
FAIRNESS_PARAMS = {
    "min_group_size": integer(30, minimum=1),
    "columns": columns_param("sensitive", ["sensitive"]),
    "intersections": boolean(True),
    "alpha": number(0.05, minimum=0.0001, maximum=0.5),
    **BOOTSTRAP_PARAMS,
    "n_bootstrap": integer(500, minimum=0, maximum=10_000),
}


def group_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[NDArray[Any], list[str]]:
    """Each row's group as a code, and the groups' names ("F", "(missing)", or "F & north"
    for two columns), from codes rather than a string per row."""
    codes, names = np.zeros(len(frame), dtype=np.intp), [""]
    for name in columns:
        column_codes, uniques = pd.factorize(frame[name])
        labels = [str(value) for value in uniques] + [MISSING]
        column_codes[column_codes < 0] = len(uniques)
        codes *= len(labels)
        codes += column_codes
        names = [f"{left} & {right}" if left else right for left in names for right in labels]
    if len(names) > max(len(codes), 1):  # a sparse product of many groups: sort
        used, codes = np.unique(codes, return_inverse=True)
    else:  # the usual few groups: renumber the used ones by counting, without sorting rows
        present = np.bincount(codes, minlength=len(names)) > 0
        used, codes = np.flatnonzero(present), (np.cumsum(present) - 1)[codes]
    return codes, [names[index] for index in used]


def fairness_subjects(context: EvaluationContext, params: dict[str, Any]) -> list[list[str]]:
    columns = params["columns"]
    if columns == "sensitive":
        columns = context.sensitive
    missing = [name for name in columns if name not in context.frame("evaluation").columns]
    if missing:
        raise EngineError(f"The sensitive column(s) {', '.join(missing)} are not in the data.")
    subjects = [[name] for name in columns]
    if params["intersections"]:
        subjects += [list(pair) for pair in combinations(columns, 2)]
    return subjects


def judged_groups(sizes: NDArray[Any], min_size: int) -> NDArray[Any]:
    """Positions of the groups large enough to be judged."""
    return np.flatnonzero(sizes >= min_size)


def _rates(
    counts: NDArray[Any], n_groups: int
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Per resample and group: selection rate, TPR, FPR and balanced accuracy, from counts
    of the cells (group, truth, prediction) in that order."""
    cells = counts.reshape(counts.shape[0], n_groups, 2, 2)  # [b, group, truth, predicted]
    with np.errstate(divide="ignore", invalid="ignore"):
        total = cells.sum(axis=(2, 3))
        selection = cells[:, :, :, 1].sum(axis=2) / total
        tpr = cells[:, :, 1, 1] / cells[:, :, 1, :].sum(axis=2)
        fpr = cells[:, :, 0, 1] / cells[:, :, 0, :].sum(axis=2)
        balanced = (tpr + 1 - fpr) / 2
    return selection, tpr, fpr, balanced


def _disparities(
    selection: NDArray[Any],
    tpr: NDArray[Any],
    fpr: NDArray[Any],
    balanced: NDArray[Any],
    positives: NDArray[np.bool_] | None = None,
    both: NDArray[np.bool_] | None = None,
) -> dict[str, NDArray[Any]]:
    """Disparities per resample; `positives` and `both` mark the groups that have positive
    labels (and negative ones too) in the data, the only ones whose TPR (FPR) count."""
    if positives is not None and both is not None:  # given together
        tpr = np.where(positives, tpr, np.nan)
        fpr, balanced = np.where(both, fpr, np.nan), np.where(both, balanced, np.nan)
        tpr_both = np.where(both, tpr, np.nan)
    else:
        tpr_both = tpr

    def ratio(values: NDArray[Any]) -> NDArray[Any]:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios: NDArray[Any] = np.nanmin(values, axis=1) / np.nanmax(values, axis=1)
        return ratios

    def difference(values: NDArray[Any]) -> NDArray[Any]:
        differences: NDArray[Any] = np.nanmax(values, axis=1) - np.nanmin(values, axis=1)
        return differences

    return {
        "demographic_parity_ratio": ratio(selection),
        "demographic_parity_difference": difference(selection),
        "true_positive_rate_ratio": ratio(tpr),
        "true_positive_rate_difference": difference(tpr),
        "equalized_odds_ratio": np.minimum(ratio(tpr_both), ratio(fpr)),
        "equalized_odds_difference": np.maximum(difference(tpr_both), difference(fpr)),
        "balanced_accuracy_difference": difference(balanced),
    }


def _independence_p(table: NDArray[Any]) -> float:
    """p-value of the chi-square test that the rows of a contingency table (groups) share
    one distribution; 1.0 when the table has no variation to test."""
    table = table[table.sum(axis=1) > 0]
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 1.0
    return float(scipy_stats.chi2_contingency(table, correction=False)[1])


def fairlearn_disparities(
    truth: NDArray[Any], predicted: NDArray[Any], groups: NDArray[Any], weights: NDArray[Any]
) -> dict[str, float | None]:
    """fairlearn's disparity metrics over the judged groups (rows given as weighted cells).

    A rate a group cannot have is left out rather than counted as 0: a group with no
    positive label has no true positive rate, one with no negative label no false positive
    rate, so they take no part in comparisons of those rates (as in the intervals)."""
    with_positives = set(groups[(truth == 1) & (weights > 0)])
    with_negatives = set(groups[(truth == 0) & (weights > 0)])

    # Any: fairlearn ships no types; its metrics return numbers.
    def among(names: set[str], metric: Callable[..., Any], **options: Any) -> Any:
        keep = np.isin(groups, list(names))
        if len(set(groups[keep])) < 2:
            return None
        return metric(truth[keep], predicted[keep], sensitive_features=groups[keep],
                      sample_weight=weights[keep], **options)  # fmt: skip

    both = with_positives & with_negatives
    everyone = set(groups)

    def balanced_gap(
        y: NDArray[Any],
        p: NDArray[Any],
        *,
        sensitive_features: NDArray[Any],
        sample_weight: NDArray[Any],
    ) -> Any:
        return fl.MetricFrame(
            metrics=balanced_accuracy_score, y_true=y, y_pred=p,
            sensitive_features=sensitive_features, sample_params={"sample_weight": sample_weight},
        ).difference()  # fmt: skip

    values = {
        "demographic_parity_ratio": among(everyone, fl.demographic_parity_ratio),
        "demographic_parity_difference": among(everyone, fl.demographic_parity_difference),
        "equalized_odds_ratio": among(both, fl.equalized_odds_ratio),
        "equalized_odds_difference": among(both, fl.equalized_odds_difference),
        "true_positive_rate_ratio": among(with_positives, fl.true_positive_rate_ratio),
        "true_positive_rate_difference": among(with_positives, fl.true_positive_rate_difference),
        "balanced_accuracy_difference": among(both, balanced_gap),
    }
    return {name: None if value is None else present(value) for name, value in values.items()}


def equality_tests(cells: NDArray[Any]) -> dict[str, float]:
    """For each disparity metric, the p-value of "every group has the same rate"."""
    selection = _independence_p(cells.sum(axis=1))
    positives = _independence_p(cells[:, 1, :])
    negatives = _independence_p(cells[:, 0, :])
    odds = min(1.0, 2 * min(positives, negatives))  # either rate differs (Bonferroni)
    return {
        "demographic_parity_ratio": selection,
        "demographic_parity_difference": selection,
        "true_positive_rate_ratio": positives,
        "true_positive_rate_difference": positives,
        "equalized_odds_ratio": odds,
        "equalized_odds_difference": odds,
        "balanced_accuracy_difference": odds,
    }


@register
class ClassificationFairness(Check):
    key = "fairness.classification"
    name = "Classification fairness"
    category = "fairness"
    reads = frozenset({"labels", "predictions"})
    task_types = CLASSIFICATION
    params_schema = schema(
        **FAIRNESS_PARAMS,
        positive_label={"type": ["string", "number", "boolean"], "default": "auto"},
    )
    metrics = {
        "demographic_parity_ratio": "Lowest group selection rate over the highest (four-fifths "
        "rule: at least 0.8).",
        "demographic_parity_difference": "Highest group selection rate minus the lowest.",
        "equalized_odds_ratio": "The smaller of the TPR and FPR ratios across groups.",
        "equalized_odds_difference": "The larger of the TPR and FPR gaps across groups.",
        "true_positive_rate_ratio": "Lowest group TPR over the highest (equal opportunity).",
        "true_positive_rate_difference": "Highest group TPR minus the lowest (equal opportunity).",
        "balanced_accuracy_difference": "Highest group balanced accuracy minus the lowest.",
    }
    default_metric = "demographic_parity_ratio"
    docs = CheckDocs(
        what="Per-group selection rate, true and false positive rates and balanced accuracy "
        "for each sensitive column and each pair of them, with fairlearn's demographic "
        "parity, equal opportunity and equalized odds ratios and differences, bootstrap "
        "intervals, and a chi-square test of equal rates.",
        why="A model can be accurate overall and still select, or miss, one group far more "
        "often than another; the four-fifths rule makes a selection rate ratio below 0.8 "
        "evidence of adverse impact.",
        fix="Find where the gap comes from: the labels themselves, a proxy feature, or too "
        "little data for the group. Remove proxies, rebalance or reweight training data, or "
        "use fairness-constrained training or per-group thresholds where allowed.",
        reference="fairlearn metrics documentation; Hardt, Price, Srebro (2016), Equality of "
        "Opportunity in Supervised Learning; US EEOC Uniform Guidelines, 29 CFR 1607.4(D).",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        subjects = fairness_subjects(context, params)
        if not subjects:
            return [Measurement(None, skipped="No sensitive column was named.")]
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        if params["positive_label"] == "auto" and context.task != "binary":
            return [
                Measurement(
                    None,
                    skipped="Fairness of a multiclass model needs its favourable class: set "
                    "the check's positive_label.",
                )
            ]
        positive = self._positive(context, params)
        true_index, predicted_index = class_positions(outputs)
        # Each row's truth and prediction in one byte: 2·truth + prediction.
        outcome = (true_index == positive).astype(np.int8)
        outcome <<= 1
        outcome |= predicted_index == positive
        frame = labelled_columns(context, outputs, [name for names in subjects for name in names])
        measured = [self._subject(context, params, frame, columns, outcome) for columns in subjects]
        judged = [(m, p_values) for m, p_values in measured if p_values is not None]
        correct_over_subjects(judged, params["alpha"])
        return [measurement for measurement, _ in measured]

    def _positive(self, context: EvaluationContext, params: dict[str, Any]) -> int:
        label = params["positive_label"]
        if label == "auto":
            label = context.positive_label
        index = context.class_index(np.asarray([label]))[0]
        if index < 0:
            classes = context.class_labels
            matches = [k for k, known in enumerate(classes) if str(known) == str(label)]
            if not matches:
                raise EngineError(f"The positive label {label!r} is not one of the classes.")
            index = matches[0]
        return int(index)

    def _subject(
        self,
        context: EvaluationContext,
        params: dict[str, Any],
        frame: pd.DataFrame,
        columns: list[str],
        outcome: NDArray[np.int8],
    ) -> tuple[Measurement, dict[str, float] | None]:
        subject = " & ".join(columns)
        codes, names = group_codes(frame, columns)
        # Rows that agree on group, truth and prediction count alike: fairlearn computes
        # on these cells, weighted by their rows, which is exact and fast at any size.
        keys = codes * 4
        keys += outcome
        cells = np.bincount(keys, minlength=len(names) * 4).reshape(-1, 2, 2)
        del keys
        sizes = cells.sum(axis=(1, 2))
        judged = judged_groups(sizes, params["min_group_size"])
        group, truth, predicted = np.nonzero(cells)
        weights = cells[group, truth, predicted]
        metrics = {
            "selection_rate": fl.selection_rate,
            "true_positive_rate": fl.true_positive_rate,
            "false_positive_rate": fl.false_positive_rate,
            "balanced_accuracy": balanced_accuracy_score,
        }
        per_group = fl.MetricFrame(
            metrics=metrics,
            y_true=truth,
            y_pred=predicted,
            sensitive_features=np.asarray(names, dtype=object)[group],
            sample_params={name: {"sample_weight": weights} for name in metrics},
        ).by_group
        evidence = {
            "columns": columns,
            "groups": [
                {
                    "group": str(name),
                    "rows": int(sizes[names.index(name)]),
                    "judged": names.index(name) in judged,
                    **{metric: present(value) for metric, value in row.items()},
                }
                for name, row in per_group.iterrows()
            ],
            "min_group_size": params["min_group_size"],
        }
        small = [name for index, name in enumerate(names) if index not in judged]
        note = f"groups under {params['min_group_size']} rows not judged: {', '.join(small)}"
        if len(judged) < 2:
            reason = f"fewer than two groups of {subject} have {params['min_group_size']} rows"
            return Measurement(subject, evidence=evidence, skipped=f"Not judged: {reason}."), None
        keep = np.isin(group, judged)
        observed = fairlearn_disparities(
            truth[keep], predicted[keep], np.asarray(names, dtype=object)[group[keep]],
            weights[keep],
        )  # fmt: skip
        p_values = equality_tests(cells[judged])
        intervals: dict[str, dict[str, Any]] = {}
        sampling: dict[str, Any] | None = None
        if params["n_bootstrap"] > 0:
            position = np.full(len(names), -1)
            position[judged] = np.arange(len(judged))
            key = position[codes]  # each row's judged group, then its cell (in place)
            if not (rows := key >= 0).all():
                key, outcome = key[rows], outcome[rows]
            key *= 4
            key += outcome
            size = len(judged) * 4

            table = cells[judged]
            positives, negatives = table[:, 1, :].sum(axis=1) > 0, table[:, 0, :].sum(axis=1) > 0

            def compute(counts: NDArray[np.float64], key: NDArray[Any]) -> dict[str, NDArray[Any]]:
                grouped = wm.grouped_counts(counts, key, size)
                rates = _rates(grouped, len(judged))
                return _disparities(*rates, positives, positives & negatives)

            intervals, sampling = stats.bootstrap(
                compute, (key,), observed, bootstrap_settings(context, params)
            )
        measurement = Measurement(
            subject,
            observed=observed,
            ci=intervals,
            evidence=evidence,
            sampling=sampling,
            test="chi-square test of equal rates across groups, Benjamini-Hochberg corrected",
            note=note if small else "",
        )
        return measurement, p_values


def correct_over_subjects(judged: list[tuple[Measurement, dict[str, float]]], alpha: float) -> None:
    """Benjamini-Hochberg over the subjects, per metric: a disparity counts as real when
    its corrected p-value is under alpha."""
    for metric in judged[0][1] if judged else {}:
        adjusted = stats.benjamini_hochberg([p_values[metric] for _, p_values in judged])
        for (measurement, _), value in zip(judged, adjusted, strict=True):
            # None, or the dict of the metrics this loop has judged already
            significant = cast(dict[str, bool] | None, measurement.significant)
            measurement.significant = {**(significant or {}), metric: bool(value < alpha)}
            measurement.evidence.setdefault("p_values", {})[metric] = float(value)


def present(value: float) -> float | None:
    return float(value) if np.isfinite(float(value)) else None
