"""Statistics shared by the checks: bootstrap intervals, multiple testing, binned distances.

The bootstrap works on a matrix of resample counts (how often each row is drawn in each
resample): a metric that is a weighted sum over rows is one matrix product per batch of
resamples. Above `max_rows` rows the resamples are drawn from a random subsample of m rows
and their spread is rescaled by sqrt(m / n) around the full data's estimate (m-out-of-n
bootstrap), sound for the smooth metrics used here; the result's `sampling` says so.

Rows that agree on every array are interchangeable, so when all the arrays are discrete
(labels, predicted classes) and take few combinations, the bootstrap draws how many rows
of each combination ("cell") a resample holds, a multinomial over the cells: the exact
bootstrap of all n rows at a cost independent of n. A check may also group rows by a key
of its own (a score bin); continuous arrays are then averaged per cell, and the spread is
taken around the full data's estimate.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as scipy_stats
from scipy.spatial import distance as scipy_distance

from apps.evaluations.engine.factorize import first_seen_codes

# A batch of resamples holds at most this many counts in memory; the metrics derive a
# few arrays of this size per batch, so it bounds the bootstrap's memory. (Its size moves
# the last bits of metrics that BLAS computes, so it is not changed lightly.)
_BATCH_CELLS = 2_000_000


@dataclass(frozen=True)
class BootstrapSettings:
    resamples: int = 1000
    level: float = 0.95
    max_rows: int = 100_000
    seed: int = 0
    max_cells: int = 4096


def resample_counts(
    n: int, resamples: int, rng: np.random.Generator
) -> Iterator[NDArray[np.float64]]:
    """Batches of (b, n) matrices: how often each row is drawn in each of b resamples."""
    batch = max(1, min(resamples, _BATCH_CELLS // max(n, 1)))
    done = 0
    while done < resamples:
        b = min(batch, resamples - done)
        draws = rng.integers(0, n, size=(b, n))
        draws += (np.arange(b) * n)[:, None]
        counts = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        del draws  # only the counts stay alive while the metrics are computed on them
        yield counts
        del counts
        done += b


def bootstrap_values(
    compute: Callable[..., dict[str, NDArray[Any]]],
    arrays: tuple[NDArray[Any], ...],
    points: dict[str, float | None],
    settings: BootstrapSettings,
    cell_key: NDArray[Any] | None = None,
) -> tuple[dict[str, NDArray[np.float64]], dict[str, Any]]:
    """Each metric's values over the resamples, and the sampling used.

    `compute` takes a (b, n) count matrix and the row-aligned arrays and returns, per
    metric, b values. `points` are the estimates on the full data, around which values
    from a subsample (or from rows grouped by `cell_key`) are placed.
    """
    rng = np.random.default_rng(settings.seed)
    n = len(arrays[0])
    cells = row_cells(arrays, cell_key, settings.max_cells)
    if cells is not None:
        return _cell_bootstrap(compute, arrays, points, settings, cells, rng)
    rows = n
    scale = 1.0
    if n > settings.max_rows:
        chosen = np.sort(rng.choice(n, size=settings.max_rows, replace=False))
        arrays = tuple(array[chosen] for array in arrays)
        rows = settings.max_rows
        scale = float(np.sqrt(rows / n))
    collected: dict[str, list[NDArray[np.float64]]] = {}
    for counts in resample_counts(rows, settings.resamples, rng):
        with np.errstate(divide="ignore", invalid="ignore"):
            values = compute(counts, *arrays)
        for name, batch in values.items():
            collected.setdefault(name, []).append(np.asarray(batch, dtype=float))
        del counts, values  # before the next batch is drawn
    results = {name: np.concatenate(batches) for name, batches in collected.items()}
    if scale != 1.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            centres = compute(np.ones((1, rows)), *arrays)
        for name, resampled in results.items():
            point = points.get(name)
            if point is not None:
                results[name] = point + (resampled - float(centres[name][0])) * scale
    sampling = {
        "method": "bootstrap" if scale == 1.0 else "m-out-of-n bootstrap",
        "resamples": settings.resamples,
        "rows": rows,
        "of_rows": n,
        "seed": settings.seed,
    }
    return results, sampling


def row_cells(
    arrays: tuple[NDArray[Any], ...], cell_key: NDArray[Any] | None, max_cells: int
) -> tuple[NDArray[Any], int, bool] | None:
    """Each row's cell, the number of cells, whether the grouping is exact (the rows of
    a cell agree on every array); None when the rows do not fall into few cells."""
    exact = cell_key is None
    if cell_key is None:
        if any(array.ndim != 1 or array.dtype.kind not in "iub" for array in arrays):
            return None
        if len(arrays) == 1:  # its codes are the cells' (numbered alike): no key to build
            codes, count = first_seen_codes(arrays[0])
            return None if count > max_cells else (codes, count, exact)
        cell_key = np.zeros(len(arrays[0]), dtype=np.int64)
        for array in arrays:
            codes, count = first_seen_codes(array)
            if count * (int(cell_key.max(initial=0)) + 1) > max_cells * 64:
                return None
            cell_key *= count  # in place: a million rows' key is 8 MB a copy
            cell_key += codes
    codes, count = first_seen_codes(cell_key)
    return None if count > max_cells else (codes, count, exact)


def _cell_bootstrap(
    compute: Callable[..., dict[str, NDArray[Any]]],
    arrays: tuple[NDArray[Any], ...],
    points: dict[str, float | None],
    settings: BootstrapSettings,
    cells: tuple[NDArray[Any], int, bool],
    rng: np.random.Generator,
) -> tuple[dict[str, NDArray[np.float64]], dict[str, Any]]:
    codes, size, exact = cells
    n = len(codes)
    rows_per_cell = np.bincount(codes, minlength=size).astype(float)
    first = np.empty(size, dtype=np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)
    reduced: list[NDArray[Any]] = []
    for array in arrays:
        if exact or array.dtype.kind in "iub":
            reduced.append(array[first])  # equal within a cell
        elif array.ndim == 1:
            reduced.append(np.bincount(codes, weights=array, minlength=size) / rows_per_cell)
        else:
            columns = [np.bincount(codes, weights=column, minlength=size) for column in array.T]
            reduced.append(np.column_stack(columns) / rows_per_cell[:, None])
    cell_arrays = tuple(reduced)
    share = rows_per_cell / n
    batch = max(1, min(settings.resamples, _BATCH_CELLS // 8 // size))
    collected: dict[str, list[NDArray[np.float64]]] = {}
    done = 0
    while done < settings.resamples:
        b = min(batch, settings.resamples - done)
        counts = rng.multinomial(n, share, size=b).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = compute(counts, *cell_arrays)
        for name, batch_values in values.items():
            collected.setdefault(name, []).append(np.asarray(batch_values, dtype=float))
        done += b
    results = {name: np.concatenate(batches) for name, batches in collected.items()}
    if not exact:  # grouped values: their spread, around the full data's estimate
        with np.errstate(divide="ignore", invalid="ignore"):
            centres = compute(rows_per_cell[None, :], *cell_arrays)
        for name, resampled in results.items():
            point = points.get(name)
            if point is not None:
                results[name] = point + (resampled - float(centres[name][0]))
    sampling = {
        "method": "bootstrap over grouped rows" if not exact else "bootstrap",
        "resamples": settings.resamples,
        "rows": n,
        "of_rows": n,
        "cells": size,
        "seed": settings.seed,
    }
    return results, sampling


def percentile_interval(
    values: NDArray[Any], point: float | None, level: float
) -> dict[str, Any] | None:
    """The percentile interval of bootstrap values, or None when the metric was undefined
    in many resamples (a class missing), where no interval would be honest."""
    finite = values[np.isfinite(values)]
    if point is None or not np.isfinite(point) or len(finite) < 0.9 * max(len(values), 1):
        return None
    alpha = 1.0 - level
    low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    return {
        "low": float(low),
        "high": float(high),
        "level": level,
        "method": "percentile bootstrap",
        "resamples": len(values),
    }


def bootstrap(
    compute: Callable[..., dict[str, NDArray[Any]]],
    arrays: tuple[NDArray[Any], ...],
    points: dict[str, float | None],
    settings: BootstrapSettings,
    cell_key: NDArray[Any] | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Percentile intervals (metric → {"low", "high", "level", "method", "resamples"}) for
    the metrics `compute` returns, and the sampling used."""
    values, sampling = bootstrap_values(compute, arrays, points, settings, cell_key)
    intervals: dict[str, dict[str, Any]] = {}
    for name, resampled in values.items():
        interval = percentile_interval(resampled, points.get(name), settings.level)
        if interval is not None:
            intervals[name] = interval
    return intervals, sampling


def wilson_interval(count: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion (sound near 0 and 1, unlike Wald's)."""
    if total == 0:
        return 0.0, 1.0
    z = float(scipy_stats.norm.ppf(0.5 + level / 2))
    share = count / total
    denominator = 1 + z**2 / total
    centre = (share + z**2 / (2 * total)) / denominator
    half = z * np.sqrt(share * (1 - share) / total + z**2 / (4 * total**2)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def benjamini_hochberg(p_values: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (NaN kept as NaN)."""
    values = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(values, np.nan)
    valid = np.isfinite(values)
    if valid.any():
        adjusted[valid] = scipy_stats.false_discovery_control(values[valid], method="bh")
    return adjusted


def excess_over_reference_p_value(
    count: int, rows: int, reference_count: int, reference_rows: int
) -> float:
    """One-sided p-value that a share (count of rows) is above a reference's share,
    both being estimates: Fisher's exact test of the 2x2 table."""
    if rows == 0 or reference_rows == 0:
        return 1.0
    table = [[count, rows - count], [reference_count, reference_rows - reference_count]]
    return float(scipy_stats.fisher_exact(table, alternative="greater").pvalue)


def excess_over_rate_p_value(count: int, rows: int, rate: float) -> float:
    """One-sided p-value that a share (count of rows) is above a known rate (binomial)."""
    if rows == 0:
        return 1.0
    if rate <= 0:
        return float(count == 0)
    return float(scipy_stats.binomtest(count, rows, min(rate, 1.0), alternative="greater").pvalue)


def quantile_edges(reference: NDArray[Any], bins: int) -> NDArray[Any]:
    """Inner bin edges at the reference's quantiles (duplicates removed)."""
    quantiles = np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(quantiles)


def binned_counts(values: NDArray[Any], edges: NDArray[Any]) -> NDArray[Any]:
    """Counts per bin for inner edges: (-inf, e0], (e0, e1], …, (e_last, inf)."""
    return np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)


def sorted_binned_counts(values: NDArray[Any], edges: NDArray[Any]) -> NDArray[Any]:
    """`binned_counts` of sorted values, from one search per edge."""
    boundaries = np.searchsorted(values, edges, side="right")
    return np.diff(np.concatenate([[0], boundaries, [len(values)]]))


def proportions(counts: NDArray[Any]) -> NDArray[Any]:
    total = counts.sum()
    return counts / total if total else np.zeros_like(counts, dtype=float)


def psi(expected_counts: NDArray[Any], actual_counts: NDArray[Any], epsilon: float = 1e-4) -> float:
    """Population stability index, sum of (a - e) ln(a / e) over bins.

    Empty bins are floored at `epsilon` (a share), the usual convention, so one empty bin
    does not make the index infinite.
    """
    expected = np.clip(proportions(np.asarray(expected_counts, float)), epsilon, None)
    actual = np.clip(proportions(np.asarray(actual_counts, float)), epsilon, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def jensen_shannon(expected_counts: NDArray[Any], actual_counts: NDArray[Any]) -> float:
    """Jensen-Shannon distance in base 2, between 0 (same) and 1 (disjoint)."""
    expected = proportions(np.asarray(expected_counts, float))
    actual = proportions(np.asarray(actual_counts, float))
    if expected.sum() == 0 or actual.sum() == 0:
        return float("nan")
    return float(scipy_distance.jensenshannon(expected, actual, base=2))
