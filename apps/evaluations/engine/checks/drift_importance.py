"""Drift of the inputs that matter to the model: each feature's drift weighted by its
importance to the model's outputs.

The importance is measured without calling the model: a small surrogate (gradient boosting)
learns the model's outputs on the reference from its features, and the permutation
importance of each feature in the surrogate, on held-out reference rows, is how much the
model's outputs depend on it. This works for a model given as prediction columns too; the
surrogate's fidelity on held-out rows is reported so a poor imitation can be seen.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.drift import DRIFT_PARAMS, compare
from apps.evaluations.engine.checks.encoding import ordinal_codes, split_columns
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


@register
class ImportantInputDrift(Check):
    key = "drift.important_inputs"
    name = "Drift of the inputs that matter"
    category = "drift"
    reads = frozenset({"predictions", "probabilities", "reference"})
    params_schema = schema(
        **DRIFT_PARAMS,
        max_rows=integer(20_000, minimum=200),
        repeats=integer(3, minimum=1, maximum=20),
        min_importance=number(0.05, minimum=0.0, maximum=1.0),
        seed=integer(0),
    )
    metrics = {
        "importance_weighted_drift": "Sum over the features of each one's drift effect size "
        "(normed Wasserstein distance for numbers, Jensen-Shannon distance for categories) "
        "times its share of the model's importance.",
    }
    default_metric = "importance_weighted_drift"
    docs = CheckDocs(
        what="Each feature's drift between the reference and the evaluated data (the same "
        "tests and effect sizes as column drift), weighted by its share of importance to the "
        "model: permutation importance in a surrogate that imitates the model's outputs on "
        "the reference. Reports the weighted score and the features contributing most.",
        why="A drifting feature the model ignores is harmless; a small shift of the feature "
        "it relies on moves its predictions. Weighting keeps alarms for shifts that matter, "
        "and works on production data before labels arrive.",
        fix="Start with the top contributors in the evidence: rule out a pipeline change "
        "(units, defaults, a new source), then estimate the impact on performance "
        "(performance.estimated) and retrain on recent data if the population moved.",
        reference="Breiman L. (2001), Random Forests (permutation importance); Rabanser S. et "
        "al. (2019), Failing Loudly, NeurIPS; NannyML and Evidently documentation on "
        "feature-importance-weighted drift.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        reference = context.frame("reference")
        if reference is None:
            return [Measurement(None, skipped="No reference data was given to compare with.")]
        outputs = context.predictions("reference")
        if outputs is None:
            return [Measurement(None, skipped="There are no predictions for the reference data.")]
        numeric, categorical = split_columns(context.kinds("reference"), context.features)
        numeric = [name for name in numeric if name in reference.columns]
        categorical = [name for name in categorical if name in reference.columns]
        if not numeric + categorical:
            return [Measurement(None, skipped="No numeric or categorical feature to compare.")]
        importance = context.cached(
            ("input_importance", params["max_rows"], params["repeats"], params["seed"]),
            lambda: surrogate_importance(context, reference, numeric, categorical, params),
        )
        if isinstance(importance, str):
            return [Measurement(None, skipped=importance)]
        weights, fidelity = importance
        current = context.frame("evaluation")
        kinds = context.kinds("reference")
        tested: dict[str, dict[str, Any]] = {}
        for name in weights:
            values = compare(
                reference[name],
                current[name],
                kinds.get(name),
                params,
                # shared with column drift's reference statistics
                _reference_cache(context, name),
            )
            if not isinstance(values, str):
                tested[name] = values
        if not tested:
            return [Measurement(None, skipped="No important feature could be tested for drift.")]
        adjusted = stats.benjamini_hochberg([values["p_value"] for values in tested.values()])
        total = sum(weights[name] for name in tested) or 1.0
        features = []
        for (name, values), p_adjusted in zip(tested.items(), adjusted, strict=True):
            weight = weights[name] / total
            features.append(
                {
                    "feature": name,
                    "importance": weight,
                    "effect_size": values["effect_size"],
                    "method": values["method"],
                    "p_value_adjusted": float(p_adjusted),
                    "contribution": weight * values["effect_size"],
                    "drifted": bool(
                        p_adjusted < params["alpha"]
                        and values["effect_size"] >= values["effect_threshold"]
                    ),
                }
            )
        features.sort(key=lambda row: row["contribution"], reverse=True)
        score = float(sum(row["contribution"] for row in features))
        # Within noise unless a feature that matters shifted beyond chance.
        significant = any(
            row["p_value_adjusted"] < params["alpha"]
            and row["importance"] >= params["min_importance"]
            for row in features
        )
        top = [row["feature"] for row in features[:3] if row["contribution"] > 0]
        return [
            Measurement(
                None,
                observed={"importance_weighted_drift": score},
                evidence={
                    "features": features,
                    "top_contributors": top,
                    "importance": "permutation importance in a surrogate of the model",
                    "surrogate_fidelity": fidelity,
                    "untested_features": sorted(set(weights) - set(tested)),
                },
                significant=significant,
                test="BH-corrected drift tests of the features with at least "
                f"{params['min_importance']:.0%} of the importance",
                note=f"top contributors: {', '.join(top)}" if top else "",
            )
        ]


def model_outputs(context: EvaluationContext, role: str) -> tuple[NDArray[Any], bool] | None:
    """What the surrogate imitates, and whether it is a class: the positive class's
    probability (binary), the predicted value (regression) or the predicted class."""
    outputs = context.predictions(role)
    if outputs is None:
        return None
    if context.task == "regression":
        return np.asarray(outputs.labels, dtype=float), False
    if context.task == "binary" and outputs.probabilities is not None:
        positive = int(context.class_index(np.asarray([context.positive_label]))[0])
        return outputs.probabilities[:, positive], False
    return context.class_index(outputs.labels), True


def surrogate_importance(
    context: EvaluationContext,
    reference: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    params: dict[str, Any],
) -> tuple[dict[str, float], dict[str, Any]] | str:
    """Each feature's share of the permutation importance in a surrogate of the model,
    fitted on three quarters of (a sample of) the reference, measured on the rest."""
    target = model_outputs(context, "reference")
    if target is None:
        return "There are no predictions for the reference data."
    values, is_class = target
    keep = np.isfinite(values) if not is_class else values >= 0
    rows = np.flatnonzero(keep)
    rng = np.random.default_rng(params["seed"])
    if len(rows) > params["max_rows"]:
        rows = np.sort(rng.choice(rows, params["max_rows"], replace=False))
    if len(rows) < 100:
        return "Fewer than 100 reference rows with a prediction to learn importance from."
    if len(np.unique(values[rows])) < 2:
        return "The model gives the same output on every reference row: no input matters."
    (x,) = ordinal_codes([reference.iloc[rows]], numeric, categorical)
    y = values[rows]
    mask = np.array([False] * len(numeric) + [True] * len(categorical))
    options = {"max_iter": 100, "max_leaf_nodes": 15, "min_samples_leaf": 20,
               "categorical_features": mask, "early_stopping": False,
               "random_state": params["seed"]}  # fmt: skip
    surrogate = (
        HistGradientBoostingClassifier(**options)
        if is_class
        else HistGradientBoostingRegressor(**options)
    )
    x_fit, x_test, y_fit, y_test = train_test_split(
        x, y, test_size=0.25, random_state=params["seed"]
    )
    surrogate.fit(x_fit, y_fit)
    result = permutation_importance(
        surrogate, x_test, y_test, n_repeats=params["repeats"], random_state=params["seed"]
    )
    raw = np.clip(result.importances_mean, 0.0, None)
    if raw.sum() <= 0:
        return "The surrogate of the model finds no input that matters."
    names = numeric + categorical
    fidelity = {
        "score": float(surrogate.score(x_test, y_test)),
        "measure": "accuracy" if is_class else "R²",
        "held_out_rows": len(y_test),
    }
    return {name: float(w) for name, w in zip(names, raw / raw.sum(), strict=True)}, fidelity


def _reference_cache(
    context: EvaluationContext, name: str
) -> Callable[[Any, Callable[[], Any]], Any]:
    """The column's reference statistics, cached in the context as column drift caches
    them, so both checks compute them once."""

    def cached(key: Any, compute: Callable[[], Any]) -> Any:
        return context.cached(("drift", "reference", name, key), compute)

    return cached
