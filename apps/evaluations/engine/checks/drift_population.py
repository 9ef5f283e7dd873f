"""Joint drift (a domain classifier) and the representativeness of the evaluation data."""

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as scipy_stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

from apps.evaluations.engine.checks.encoding import ordinal_codes, split_columns
from apps.evaluations.engine.checks.inputs import (
    NAMED_COLUMNS,
    given_frame,
    selected_columns,
    text_value_counts,
)
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.data import BOOLEAN, CATEGORICAL
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    choice,
    columns_param,
    integer,
    number,
    register,
    schema,
)


def domain_classifier(categorical_mask: NDArray[Any], seed: int) -> HistGradientBoostingClassifier:
    # Small and fixed: the question is whether the two sets can be told apart at all.
    return HistGradientBoostingClassifier(
        max_iter=60,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        categorical_features=categorical_mask,
        early_stopping=False,
        random_state=seed,
    )


@register
class MultivariateDrift(Check):
    key = "drift.multivariate"
    name = "Multivariate drift"
    needs = "data"
    category = "drift"
    reads = frozenset({"reference", "training"})
    params_schema = schema(
        cv_folds=integer(5, minimum=2, maximum=10),
        max_rows=integer(20_000, minimum=100),
        seed=integer(0),
        alpha=number(0.05, minimum=0.0001, maximum=0.5),
        reference=choice("auto", ["auto", "reference", "train"]),
    )
    metrics = {
        "domain_classifier_auc": "Cross-validated ROC AUC of a classifier telling "
        "reference rows from evaluation rows (0.5: indistinguishable)."
    }
    default_metric = "domain_classifier_auc"
    docs = CheckDocs(
        what="A gradient-boosted classifier trained to tell reference rows from evaluation "
        "rows, cross-validated on a balanced sample; its ROC AUC and, when it tells them "
        "apart, the features it relies on (permutation importance on a held-out quarter).",
        why="It detects joint shifts that per-column tests miss, such as a changed relation "
        "between two features whose own distributions stay put.",
        fix="Read the most important features in the evidence: an id, timestamp or sequence "
        "column there is harmless and should be excluded; otherwise treat it as drift.",
        reference="Rabanser S. et al. (2019), Failing Loudly: An Empirical Study of Methods for "
        "Detecting Dataset Shift, NeurIPS.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        role = context.comparison_role(params["reference"])
        if role is None:
            return [Measurement(None, skipped="No reference data was given to compare with.")]
        numeric, categorical = split_columns(context.kinds(), context.features)
        reference = given_frame(context, role)
        numeric = [name for name in numeric if name in reference.columns]
        categorical = [name for name in categorical if name in reference.columns]
        if not numeric + categorical:
            return [Measurement(None, skipped="No numeric or categorical feature to compare.")]
        rng = np.random.default_rng(params["seed"])
        current = context.frame("evaluation")
        per_side = min(len(reference), len(current), params["max_rows"] // 2)
        if per_side < 2 * params["cv_folds"]:
            return [Measurement(None, skipped="Too few rows to train a domain classifier.")]
        samples = [
            frame.iloc[np.sort(rng.choice(len(frame), per_side, replace=False))]
            for frame in (reference, current)
        ]
        matrices = ordinal_codes(samples, numeric, categorical)
        x = np.vstack(matrices)
        y = np.repeat([0, 1], per_side)
        mask = np.array([False] * len(numeric) + [True] * len(categorical))
        folds = StratifiedKFold(params["cv_folds"], shuffle=True, random_state=params["seed"])
        scores = cross_val_predict(
            domain_classifier(mask, params["seed"]), x, y, cv=folds, method="predict_proba"
        )[:, 1]
        auc = float(roc_auc_score(y, scores))
        p_value = float(
            scipy_stats.mannwhitneyu(scores[y == 1], scores[y == 0], alternative="greater").pvalue
        )
        significant = p_value < params["alpha"]
        # Which features tell the sets apart is asked only when they can be told apart:
        # otherwise every importance is noise (and refitting costs as much as the test).
        importances = (
            self._importances(x, y, mask, numeric + categorical, params["seed"])
            if significant or auc > 0.55
            else {}
        )
        top = sorted(importances, key=importances.__getitem__, reverse=True)[:10]
        return [
            Measurement(
                None,
                observed={"domain_classifier_auc": auc, "p_value": p_value},
                evidence={
                    "feature_importance": {name: importances[name] for name in top},
                    "compared_with": role,
                },
                sampling={
                    "method": "balanced random rows",
                    "rows_per_side": per_side,
                    "of_rows": {role: len(reference), "evaluation": len(current)},
                    "cv_folds": params["cv_folds"],
                    "seed": params["seed"],
                },
                significant=significant,
                test=f"Mann-Whitney test of the out-of-fold scores, p = {p_value:.3g}",
                note=f"most telling features: {', '.join(top[:3])}" if top and auc > 0.55 else "",
            )
        ]

    def _importances(
        self, x: NDArray[Any], y: NDArray[Any], mask: NDArray[np.bool_], names: list[str], seed: int
    ) -> dict[str, float]:
        """Permutation importance (drop of AUC) on a held-out quarter."""
        x_fit, x_test, y_fit, y_test = train_test_split(
            x, y, test_size=0.25, stratify=y, random_state=seed
        )
        model = domain_classifier(mask, seed).fit(x_fit, y_fit)
        result = permutation_importance(
            model, x_test, y_test, scoring="roc_auc", n_repeats=2, random_state=seed
        )
        return {
            name: float(value) for name, value in zip(names, result.importances_mean, strict=True)
        }


@register
class Representativeness(Check):
    key = "drift.representativeness"
    name = "Representativeness"
    needs = "data"
    category = "drift"
    reads = frozenset({"reference", "training"})
    params_schema = schema(
        min_category_share=number(0.01, minimum=0.0, maximum=1.0),
        columns=columns_param("features", NAMED_COLUMNS),
        reference=choice("auto", ["auto", "train", "reference"]),
    )
    metrics = {
        "category_coverage": "Share of the categories making up at least min_category_share "
        "of the training data that appear in the evaluation data.",
        "smallest_group_rows": "Rows of the column's smallest group in the evaluation data "
        "(groups seen in the training data count, even with zero rows).",
    }
    default_metric = "category_coverage"
    docs = CheckDocs(
        what="Coverage of the training population's categories by the evaluation data, and "
        "the size of the smallest group of each (sensitive) column.",
        why="An evaluation set that lacks categories the model serves, or holds only a "
        "handful of rows of a group, cannot vouch for them.",
        fix="Draw the evaluation set stratified over the key categories; oversample small "
        "groups or pool data over a longer period.",
        reference="ISO/IEC 25012:2008, Data quality model; NIST SP 1270 (2022).",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        columns = selected_columns(context, params["columns"])
        if not columns:
            return [Measurement(None, skipped=f"No {params['columns']} columns were named.")]
        role = context.comparison_role(params["reference"], prefer=("train", "reference"))
        other = context.frame(role) if role else None
        frame, kinds = context.frame("evaluation"), context.kinds()
        results = []
        for name in columns:
            if kinds.get(name) not in (CATEGORICAL, BOOLEAN) and name not in context.sensitive:
                continue
            counts = text_value_counts(frame[name])
            observed: dict[str, float] = {}
            evidence: dict[str, Any] = {}
            groups = set(counts.index)
            if other is not None and name in other.columns:
                shares = text_value_counts(other[name], normalize=True)
                frequent = shares[shares >= params["min_category_share"]].index
                absent = [str(value) for value in frequent if value not in groups]
                observed["category_coverage"] = (
                    1 - len(absent) / len(frequent) if len(frequent) else 1.0
                )
                evidence.update({"absent_categories": absent[:50], "compared_with": role})
                groups |= set(frequent)
            sizes = counts.reindex(sorted(groups), fill_value=0)
            observed["smallest_group_rows"] = int(sizes.min()) if len(sizes) else 0
            evidence["group_rows"] = {
                str(k): int(v) for k, v in sizes.sort_values().head(50).items()
            }
            smallest = str(sizes.idxmin()) if len(sizes) else None
            results.append(
                Measurement(
                    name,
                    observed=observed,
                    evidence=evidence,
                    note=f"smallest group {smallest!r}" if smallest else "",
                )
            )
        return results
