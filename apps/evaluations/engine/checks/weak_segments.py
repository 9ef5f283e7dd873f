"""Weak segments: slices of the data (one binned feature, or a pair) where the model does
significantly worse, found without anyone naming them.

Every slice of at least `min_slice_size` rows is tested, and the p-values are corrected
for the number of slices tried (Benjamini-Hochberg). A classifier with probabilities is
held to what it promises on the slice (its mean confidence), so a slice that is merely
hard (rows near the decision boundary, where a calibrated model says it is unsure) is not
weak; a slice where it is wrong more often than it claims is. Without probabilities, and
for regression, a slice is compared with the rest of the data.
"""

from itertools import combinations, pairwise
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as scipy_stats

from apps.evaluations.engine import stats
from apps.evaluations.engine.checks.distinct_slices import (
    Binned,
    Slice,
    describe_slice,
    distinct_slices,
    slice_mask,
)
from apps.evaluations.engine.checks.encoding import split_columns
from apps.evaluations.engine.checks.inputs import (
    LabelledOutputs,
    class_positions,
    first_seen_texts,
    labelled_outputs,
)
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    choice,
    integer,
    number,
    register,
    schema,
)

_MAX_CATEGORIES = 20


def feature_bins(
    values: pd.Series, name: str, numeric: bool, n_bins: int
) -> tuple[NDArray[Any], list[str]]:
    """Each row's bin of one feature, and the bins' descriptions."""
    if numeric:
        dates = pd.api.types.is_datetime64_any_dtype(values.dtype)
        if dates:  # ticks of the column's unit; missing dates missing, not the least integer
            unit = getattr(values.dtype, "unit", None) or np.datetime_data(values.dtype)[0]
            numbers = values.astype("int64").where(values.notna()).to_numpy(dtype=float)
        else:
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        finite = np.isfinite(numbers)
        quantiles = np.linspace(0, 1, n_bins + 1)[1:-1]
        edges: NDArray[Any] | list[float] = (
            np.unique(np.quantile(numbers[finite], quantiles)) if finite.any() else []
        )
        codes = np.where(finite, np.searchsorted(edges, numbers, side="right"), len(edges) + 1)
        shown = [
            str(pd.Timestamp(int(edge), unit=unit)) if dates else f"{edge:.4g}" for edge in edges
        ]  # fmt: skip
        labels = [f"{name} < {shown[0]}"] if len(edges) else [f"{name} (any value)"]
        labels += [f"{low} <= {name} < {high}" for low, high in pairwise(shown)]
        labels += [f"{name} >= {shown[-1]}"] if len(edges) else []
        return codes, [*labels, f"{name} is missing"]
    uniques, codes = first_seen_texts(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    kept = np.argsort(-counts)[:_MAX_CATEGORIES]
    remap = np.full(len(uniques), len(kept))
    remap[kept] = np.arange(len(kept))
    labels = [f"{name} = {uniques[index]}" for index in kept]
    codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], len(kept) + 1)
    return codes, [*labels, f"{name} = (another value)", f"{name} is missing"]


def _row_losses(
    context: EvaluationContext, outputs: LabelledOutputs, compare_with: str
) -> tuple[NDArray[Any], NDArray[Any] | None]:
    """Per row: the loss, and (for "expected") the chance of an error the model's own
    confidence gives."""
    if context.task == "regression":
        return np.abs(outputs.predicted - outputs.truth), None
    true_index, predicted_index = class_positions(outputs)
    wrong = (predicted_index != true_index).astype(float)
    if compare_with == "expected":
        if outputs.probabilities is None:  # `run` skips the check then
            raise TypeError("the model gives no probabilities to compare with")
        return wrong, 1 - outputs.probabilities.max(axis=1)
    return wrong, None


def _slice_tests(
    key: NDArray[Any],
    size: int,
    losses: NDArray[Any],
    expected: NDArray[Any] | None,
    min_rows: int,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """For each slice of a key: rows, gap and one-sided p-value (NaN when too small)."""
    rows = np.bincount(key, minlength=size).astype(float)
    total = np.bincount(key, weights=losses, minlength=size)
    n, grand = len(losses), losses.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / rows
        if expected is not None:
            # Observed errors against the model's own promise: the count of errors is a sum
            # of Bernoulli trials with those chances; its Poisson tail is accurate for small
            # counts and errs on the side of caution (a Poisson varies more).
            promised = np.bincount(key, weights=expected, minlength=size)
            gap = mean - promised / rows
            p_value = scipy_stats.poisson.sf(np.round(total) - 1, promised)
        else:
            # The slice against the rest, with Student's t on the slice's degrees of freedom
            squares = np.bincount(key, weights=losses**2, minlength=size)
            rest_rows = n - rows
            rest_mean = (grand - total) / rest_rows
            slice_var = squares / rows - mean**2
            rest_var = ((losses**2).sum() - squares) / rest_rows - rest_mean**2
            z = (mean - rest_mean) / np.sqrt(slice_var / rows + rest_var / rest_rows)
            gap = mean - grand / n
            p_value = scipy_stats.t.sf(z, np.maximum(rows - 1, 1))
    usable = (rows >= min_rows) & (rows <= n - min_rows) & np.isfinite(p_value)
    return rows, gap, np.where(usable, p_value, np.nan)


@register
class WeakSegments(Check):
    key = "weak_segments.discovery"
    name = "Weak segments"
    category = "weak_segment"
    reads = frozenset({"labels", "predictions", "probabilities"})
    params_schema = schema(
        min_slice_size=integer(50, minimum=10),
        max_features=integer(2, minimum=1, maximum=2),
        n_bins=integer(5, minimum=2, maximum=20),
        alpha=number(0.05, minimum=0.0001, maximum=0.5),
        gap=number(0.1, minimum=0.0),
        compare_with=choice("auto", ["auto", "expected", "overall"]),
        max_rows=integer(100_000, minimum=1000),
        top_slices=integer(20, minimum=1, maximum=200),
        max_results=integer(10, minimum=1, maximum=50),
        overlap=number(0.8, minimum=0.0, maximum=1.0),
        seed=integer(0),
    )
    discovers_subjects = True
    metrics = {
        "slice_metric_gap": "Each distinct weak slice's gap, one result per slice, weakest "
        "first (up to `max_results`): classification, its error rate minus the rate it is "
        "compared with; regression, its MAE over the overall MAE, minus 1. With no weak "
        "slice, one result for the whole run: the largest significant gap, 0 when none.",
        "worst_slice_metric_gap": "The largest gap of a significantly weak slice (0 when no "
        "slice is), one result on that slice; kept for criteria made before each slice was "
        "its own result.",
        "weak_slice_row_share": "Share of rows in weak slices (each counting only its rows "
        "that are weak by themselves, not those of a weaker slice).",
        "weak_slice_count": "Number of distinct weak slices: gap significant and at least "
        "`gap`, not weak only through a weaker slice, nor with `overlap` of its rows inside "
        "one.",
    }
    default_metric = "slice_metric_gap"
    docs = CheckDocs(
        what="Tests every slice of one binned feature and of each pair of features (quantile "
        "bins for numbers, the most frequent categories, missing values) for a loss "
        "significantly above what it is compared with, and corrects for the number of slices "
        "tried. Each distinct weak slice is its own result, weakest first, with its rows "
        "flagged: a slice that is weak only through a weaker one, or whose rows mostly "
        "(`overlap`) lie inside a weaker one, is the same problem and is left out; at most "
        "`max_results` slices a run.",
        why="An aggregate metric hides slices where the model fails, and fairness checks "
        "only look at the groups someone declared; a bias against an undeclared group shows "
        "up here. Unrelated weak slices are separate problems, each fixed and verified on "
        "its own.",
        fix="Read the slice's flagged rows: too few training examples there, a feature that "
        "behaves differently, or wrong labels. Add data or a feature for the slice, or "
        "document it as a known limitation and route such cases to a person. A slice no "
        "longer found weak on a newer model version verifies its finding.",
        reference="Chung Y. et al. (2019), Slice Finder: Automated Data Slicing for Model "
        "Validation, ICDE; Benjamini Y., Hochberg Y. (1995).",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        outputs = labelled_outputs(context)
        if isinstance(outputs, str):
            return [Measurement(None, skipped=outputs)]
        compare_with = params["compare_with"]
        if compare_with == "auto":
            has_probabilities = context.task != "regression" and outputs.probabilities is not None
            compare_with = "expected" if has_probabilities else "overall"
        if compare_with == "expected" and outputs.probabilities is None:
            return [Measurement(None, skipped="The model gives no probabilities to compare with.")]
        rows, sampling = outputs.rows, None
        chosen = np.arange(len(rows))
        if len(rows) > params["max_rows"]:
            rng = np.random.default_rng(params["seed"])
            chosen = np.sort(rng.choice(len(rows), params["max_rows"], replace=False))
            sampling = {"method": "random labelled rows", "rows": len(chosen),
                        "of_rows": len(rows), "seed": params["seed"]}  # fmt: skip
        losses, expected = _row_losses(context, outputs, compare_with)
        losses = losses[chosen]
        if expected is not None:
            expected = expected[chosen]
        frame = context.frame("evaluation").iloc[rows[chosen]]
        numeric, categorical = split_columns(context.kinds(), context.features)
        binned = [
            (name, *feature_bins(frame[name], name, name in numeric, params["n_bins"]))
            for name in numeric + categorical
        ]
        found = self._test_slices(binned, losses, expected, params)
        if not found:
            return [Measurement(None, skipped="No slice is large enough to test.")]
        weights = (losses, expected)
        return self._measure(context, found, binned, weights, rows[chosen], params, sampling,
                             compare_with)  # fmt: skip

    def _test_slices(
        self,
        binned: Binned,
        losses: NDArray[Any],
        expected: NDArray[Any] | None,
        params: dict[str, Any],
    ) -> list[Slice]:
        """Every testable slice: (features, bins, rows, gap, p-value)."""
        found: list[Slice] = []
        groups = [[index] for index in range(len(binned))]
        if params["max_features"] >= 2:
            groups += [list(pair) for pair in combinations(range(len(binned)), 2)]
        for group in groups:
            key, size = np.zeros(len(losses), dtype=np.int64), 1
            for index in group:
                codes, labels = binned[index][1], binned[index][2]
                key, size = key * len(labels) + codes, size * len(labels)
            counts, gaps, p_values = _slice_tests(
                key, size, losses, expected, params["min_slice_size"]
            )
            for cell in np.flatnonzero(np.isfinite(p_values)):
                bins: list[int] = []
                rest = int(cell)
                for index in reversed(group):
                    rest, code = divmod(rest, len(binned[index][2]))
                    bins.insert(0, code)
                found.append((group, bins, int(counts[cell]), float(gaps[cell]),
                              float(p_values[cell])))  # fmt: skip
        return found

    def _measure(
        self,
        context: EvaluationContext,
        found: list[Slice],
        binned: Binned,
        weights: tuple[NDArray[Any], NDArray[Any] | None],
        positions: NDArray[Any],
        params: dict[str, Any],
        sampling: dict[str, Any] | None,
        compare_with: str,
    ) -> list[Measurement]:
        """One measurement per distinct weak slice, weakest first, then the whole run's."""
        losses, expected = weights
        adjusted = stats.benjamini_hochberg([entry[4] for entry in found])
        regression = context.task == "regression"
        scale = float(losses.mean()) if regression and losses.mean() > 0 else 1.0
        significant = [
            (entry, float(p))
            for entry, p in zip(found, adjusted, strict=True)
            if p < params["alpha"]
        ]
        significant.sort(key=lambda pair: (-pair[0][3], -pair[0][2]))
        weak = [pair for pair in significant if pair[0][3] / scale >= params["gap"]]
        distinct = distinct_slices(binned, weak, losses, expected, scale, params)
        in_weak = np.zeros(len(losses), dtype=bool)
        for *_, mask in distinct:
            in_weak |= mask
        if weak and not distinct:  # no slice's rows weak at the stricter test: the weakest
            distinct = [(*weak[0], slice_mask(binned, weak[0][0][0], weak[0][0][1]))]
        loss = "absolute error" if regression else "error rate"
        described = [
            {"slice": describe_slice(binned, group, bins), "rows": count, "loss": loss,
             "gap": gap / scale, "p_value": p_value, "weak": gap / scale >= params["gap"]}
            for (group, bins, count, gap, _), p_value in significant[: params["top_slices"]]
        ]  # fmt: skip
        limit = context.settings.flagged_rows_limit
        common = {
            "compared_with": compare_with,
            "overall_loss": float(losses.mean()),
            # every weak slice, reported or not (the cap, or mostly inside a weaker one): a
            # finding on one of them is not fixed yet (see Check.discovers_subjects)
            "found_subjects": [describe_slice(binned, entry[0], entry[1]) for entry, _ in weak],
        }
        compared = "the model's own confidence" if compare_with == "expected" else "the rest"
        note = f"{len(found)} slices tested against {compared}"
        reported = distinct[: params["max_results"]]
        measurements = []
        for rank, ((group, bins, count, gap, _), p_value, mask) in enumerate(reported, 1):
            name = describe_slice(binned, group, bins)
            measurements.append(Measurement(
                name,
                observed={"slice_metric_gap": gap / scale},
                evidence={"slice": name, "rank": rank, "rows": count, "loss": loss,
                          "gap": gap / scale, "p_value": p_value, **common},
                flagged_rows=[int(row) for row in positions[mask][:limit]],
                sampling=sampling,
                significant=True,
                test=f"corrected p = {p_value:.2g} over {len(found)} slices",
                note=note,
            ))  # fmt: skip
        worst = significant[0][0] if significant else None
        worst_gap = max(worst[3] / scale, 0.0) if worst else 0.0
        run_wide: dict[str, Any] = {
            "weak_slice_row_share": float(in_weak.mean()),
            "weak_slice_count": len(distinct),
        }
        if not reported:  # nothing weak: one measurement of the whole run, which passes
            run_wide["slice_metric_gap"] = worst_gap
        if len(distinct) > len(reported):
            note += f"; {len(distinct)} distinct weak slices, the weakest {len(reported)} reported"
        evidence = {
            "slices": described,
            "tested_slices": len(found),
            **common,
        }
        measurements.append(Measurement(
            None, observed=run_wide, evidence=evidence, sampling=sampling, note=note,
            flagged_rows=[int(row) for row in positions[in_weak][:limit]],
        ))  # fmt: skip
        # Criteria made before each slice was its own result judge the worst one's gap.
        flagged: NDArray[Any] = positions[:0]
        if weak:
            flagged = positions[slice_mask(binned, weak[0][0][0], weak[0][0][1])]
        measurements.append(Measurement(
            describe_slice(binned, worst[0], worst[1]) if worst else None,
            observed={"worst_slice_metric_gap": worst_gap}, evidence=evidence,
            sampling=sampling, note=note, flagged_rows=[int(row) for row in flagged[:limit]],
        ))  # fmt: skip
        return measurements
