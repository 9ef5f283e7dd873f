"""Data quality of repeated rows: duplicates and conflicting labels.

Healthy data repeat rows too (few distinct values, genuine repeat events), so each check
also reports its excess over what healthy data give, with a test of that excess: the
duplicates of the reference (or training) data, the label conflicts chance gives.
"""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as scipy_stats

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.inputs import flagged, row_hashes, text_categories
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.data import NUMERIC
from apps.evaluations.engine.registry import (
    CLASSIFICATION,
    Check,
    CheckDocs,
    Measurement,
    boolean,
    choice,
    integer,
    number,
    register,
    schema,
)

ALPHA_PARAM = number(0.01, minimum=0.0001, maximum=0.5)


def _duplicated(frame: pd.DataFrame, columns: list[str]) -> NDArray[Any]:
    duplicated: NDArray[Any] = (
        pd.Series(row_hashes(frame, columns)).duplicated(keep="first").to_numpy()
    )
    return duplicated


@register
class Duplicates(Check):
    key = "data_quality.duplicates"
    name = "Duplicate rows"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"labels", "reference", "training"})  # with their target by default
    params_schema = schema(
        include_target=boolean(True),
        reference=choice("auto", ["auto", "reference", "train"]),
        healthy_share=number(0.01, minimum=0.0, maximum=1.0),
        alpha=ALPHA_PARAM,
        seed=integer(0),
    )

    def reads_with(self, params: dict[str, Any]) -> frozenset[str]:
        return self.reads if params.get("include_target", True) else self.reads - {"labels"}

    metrics = {
        "duplicate_row_share": "Share of rows that repeat an earlier row exactly.",
        "excess_duplicate_row_share": "Duplicate share minus the reference (or training) "
        "data's at the same number of rows, or minus `healthy_share` when neither was "
        "given; significant only when a one-sided test finds it above.",
    }
    default_metric = "duplicate_row_share"
    docs = CheckDocs(
        what="Share of rows that exactly duplicate another row, and its excess over the "
        "reference (or training) data's share, both counted on the same number of rows "
        "(the larger set sampled down: the more rows, the more repeats by chance). Fisher's "
        "exact test says whether the excess is significant. Without either dataset the "
        "excess is over `healthy_share` (binomial test), and the result says so.",
        why="Duplicates usually come from a one-to-many join; they over-weight some cases in "
        "training and in the metrics.",
        fix="Look for a fan-out join in the export and deduplicate on the business key; keep "
        "genuine repeats but do not let them straddle the train/evaluation split.",
        reference="pandas DataFrame.duplicated documentation.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        frame = context.frame("evaluation")
        columns = [
            name for name in frame.columns if params["include_target"] or name != context.target
        ]
        duplicated = _duplicated(frame, columns)
        share = float(duplicated.mean()) if len(frame) else 0.0
        role = context.comparison_role(params["reference"])
        other = context.frame(role) if role else None
        if other is not None and all(name in other.columns for name in columns):
            rows = min(len(frame), len(other))
            rng = np.random.default_rng(params["seed"])
            current, healthy = (
                int(_duplicated(data.iloc[np.sort(rng.choice(len(data), rows, replace=False))],
                                columns).sum())
                for data in (frame, other)
            )  # fmt: skip
            p_value = stats.excess_over_reference_p_value(current, rows, healthy, rows)
            excess = (current - healthy) / max(rows, 1)
            evidence = {"compared_with": role, "compared_rows": rows,
                        "duplicates_at_compared_rows": current,
                        "reference_duplicates": healthy}  # fmt: skip
            test = (
                f"Fisher's exact test, {current} against {healthy} duplicates in {rows} rows "
                f"of the {role} data, p = {p_value:.3g}"
            )
            note = ""
        else:
            count = int(duplicated.sum())
            p_value = stats.excess_over_rate_p_value(count, len(frame), params["healthy_share"])
            excess = share - params["healthy_share"]
            evidence = {"compared_with": None, "healthy_share": params["healthy_share"]}
            test = f"binomial test against {params['healthy_share']:.2%}, p = {p_value:.3g}"
            note = (
                f"no reference data with these columns: judged against an assumed healthy "
                f"share of "
                f"{params['healthy_share']:.2%}"
            )
        return [
            Measurement(
                None,
                observed={
                    "duplicate_row_share": share,
                    "duplicate_rows": int(duplicated.sum()),
                    "excess_duplicate_row_share": excess,
                },
                evidence={**evidence, "p_value": p_value},
                flagged_rows=flagged(np.flatnonzero(duplicated), context),
                significant={"excess_duplicate_row_share": p_value < params["alpha"]},
                test=test,
                note=note,
            )
        ]


def continuous_features(context: EvaluationContext) -> list[str]:
    """Numeric features whose values are mostly distinct (at least half of at least 20):
    two honest rows rarely share such a value, so rows identical on it are copies."""
    names = []
    kinds = context.kinds()
    for name in context.features:
        if kinds.get(name) != NUMERIC or name not in context.frame("evaluation").columns:
            continue
        summary = context.number_summary("evaluation", name)
        if summary is not None:
            present, distinct = summary.rows - summary.missing, summary.distinct
        else:
            values = context.frame("evaluation")[name].dropna()
            present, distinct = len(values), int(values.nunique())
        if present >= 20 and distinct >= 0.5 * present:
            names.append(name)
    return names


@register
class LabelConflicts(Check):
    key = "data_quality.label_conflicts"
    name = "Conflicting labels"
    needs = "data"
    reads_column_summaries = True
    category = "data_quality"
    reads = frozenset({"labels"})
    task_types = CLASSIFICATION
    params_schema = schema(min_groups=integer(3, minimum=1), alpha=ALPHA_PARAM)
    metrics = {
        "conflicting_label_share": "Share of labelled rows in groups of identical "
        "features that carry different labels.",
        "excess_conflicting_label_share": "Conflicting label share minus what chance gives "
        "(none when a continuous feature makes identical rows copies); significant only "
        "with at least `min_groups` conflicting groups and, when every feature is "
        "discrete, more conflicts than chance at `alpha`.",
    }
    default_metric = "conflicting_label_share"
    docs = CheckDocs(
        what="Rows with the same feature values and different labels. When a feature is "
        "continuous (mostly distinct values), identical rows are copies and every conflict "
        "is a labelling error: the excess is the whole share, counted once at least "
        "`min_groups` groups conflict. When every feature is discrete, identical rows are "
        "common and so are honest conflicts: the expected number of conflicting groups is "
        "1 - sum of p_k^n per group of n rows, p the label rates of the repeated rows "
        "(by Jensen's inequality at least what any per-group rates give, so healthy data "
        "stay below it), and a one-sided normal test of the observed count against it "
        "decides significance.",
        why="They cap the achievable accuracy and usually point to labelling errors or to a "
        "missing feature that separates them.",
        fix="Inspect a few conflicting groups: adjudicate the labels if annotators disagree, "
        "or add the missing distinguishing feature.",
        reference="Northcutt C. et al. (2021), Confident Learning, JAIR.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        frame = context.frame("evaluation")
        labels = context.labels("evaluation")
        labelled = labels.notna().to_numpy()
        hashes = row_hashes(frame, context.features)[labelled]
        # Only rows that repeat can conflict, or count in the chance of conflicts: grouping
        # just those takes a fraction of the time and memory when most rows are unique.
        repeated = pd.Series(hashes).duplicated(keep=False).to_numpy()
        groups = pd.DataFrame(
            {
                "group": hashes[repeated],
                "label": text_categories(labels[labelled])[1][repeated],  # equal as text
            }
        )
        distinct = groups.groupby("group")["label"].transform("nunique").to_numpy()
        conflicting = np.zeros(len(frame), dtype=bool)
        conflicting[np.flatnonzero(labelled)[repeated][distinct > 1]] = True
        total = int(labelled.sum())
        share = float(conflicting.sum() / total) if total else 0.0
        conflict_groups = int(groups.loc[distinct > 1, "group"].nunique())
        continuous = continuous_features(context)
        enough = conflict_groups >= params["min_groups"]
        if continuous:
            expected_rows, p_value = 0.0, None
            significant = enough
            test = (
                f"{conflict_groups} conflicting groups of rows identical on continuous "
                f"features ({', '.join(continuous[:3])}), which chance does not give; "
                f"{params['min_groups']} or more count"
            )
        else:
            expected_groups, expected_rows, p_value = _chance_conflicts(groups, conflict_groups)
            significant = enough and p_value < params["alpha"]
            test = (
                f"{conflict_groups} conflicting groups against {expected_groups:.1f} by "
                f"chance from the label rates, one-sided p = {p_value:.3g}"
            )
        return [
            Measurement(
                None,
                observed={
                    "conflicting_label_share": share,
                    "conflicting_groups": conflict_groups,
                    "excess_conflicting_label_share": share - expected_rows / max(total, 1),
                },
                evidence={
                    "continuous_features": continuous,
                    "expected_conflicting_rows": expected_rows,
                    "p_value": p_value,
                },
                flagged_rows=flagged(np.flatnonzero(conflicting), context),
                significant={"excess_conflicting_label_share": significant},
                test=test,
            )
        ]


def _chance_conflicts(groups: pd.DataFrame, observed_groups: int) -> tuple[float, float, float]:
    """Groups and rows expected to conflict by chance, and the one-sided p-value of the
    observed conflicting groups: a group of n rows agrees with chance sum_k p_k^n, p the
    label rates among rows in groups of two or more (`groups` may hold only those)."""
    sizes = groups.groupby("group").size()
    n = sizes[sizes >= 2].to_numpy(dtype=float)
    if not len(n):
        return 0.0, 0.0, 1.0
    repeated = groups["group"].map(sizes).to_numpy() >= 2
    rates = groups.loc[repeated, "label"].value_counts(normalize=True).to_numpy(dtype=float)
    chance = 1.0 - (rates[None, :] ** n[:, None]).sum(axis=1)
    expected_groups, expected_rows = float(chance.sum()), float((n * chance).sum())
    variance = float((chance * (1 - chance)).sum())
    if variance <= 0:
        return expected_groups, expected_rows, 1.0 if observed_groups <= expected_groups else 0.0
    z = (observed_groups - expected_groups - 0.5) / np.sqrt(variance)
    return expected_groups, expected_rows, float(scipy_stats.norm.sf(z))
