"""Two-sample tests of drift: Kolmogorov-Smirnov with the Wasserstein distance read off one
merge of the sorted samples, and the chi-square test of homogeneity."""

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special as scipy_special
from scipy import stats as scipy_stats


def wasserstein_normed(reference: NDArray[Any], current: NDArray[Any]) -> float:
    """Wasserstein-1 distance divided by the reference's standard deviation.

    In units of the reference's spread: 0.1 means the distributions differ by about a
    tenth of a standard deviation of mass movement, whatever the column's unit.
    """
    return ks_wasserstein_sorted(np.sort(reference), np.sort(current))["wasserstein_normed"]


def ks_wasserstein_sorted(reference: NDArray[Any], current: NDArray[Any]) -> dict[str, float]:
    """The two-sample KS statistic and p-value and the normed Wasserstein distance of two
    sorted samples, as scipy computes them (the p-value's tail at large sizes by its limit).

    scipy sorts both samples on every call; drift reuses the reference's sorted values
    for every column test and reads both CDFs off the sorted samples."""
    n1, n2 = len(reference), len(current)
    statistic, distance = _ks_wasserstein_merge(reference, current)
    if max(n1, n2) <= 10_000:  # scipy's exact p-value for small samples
        p_value = float(scipy_stats.ks_2samp(reference, current).pvalue)
    else:  # scipy's asymptotic one (Smirnov), as ks_2samp's "auto" mode chooses
        effective = np.round(n1 * n2 / (n1 + n2))
        # From 10,000 on a tiny p (a clear drift) is Kolmogorov's limit, within 1% of it; in
        # the rest of its tail (n·D² ≥ 2.2) scipy sums a series as long as the sample (1.4 s at
        # a million): from 100,000 on the limit with Stephens' correction is within 0.5%.
        limit = float(scipy_special.kolmogorov(np.sqrt(effective) * statistic))
        if effective >= 10_000 and limit < 1e-6:
            p_value = limit
        elif effective >= 100_000 and effective * statistic**2 >= 2.2:
            scale = np.sqrt(effective) + 0.12 + 0.11 / np.sqrt(effective)
            p_value = float(scipy_special.kolmogorov(scale * statistic))
        else:
            p_value = float(np.clip(scipy_stats.kstwo.sf(statistic, effective), 0, 1))
    spread = float(np.std(reference))
    normed = distance / spread if spread else (0.0 if distance == 0 else float("inf"))
    return {"ks_statistic": statistic, "p_value": p_value, "wasserstein_normed": normed}


def _ks_wasserstein_merge(
    reference: NDArray[Any], current: NDArray[Any], piece_rows: int = 1 << 16
) -> tuple[float, float]:
    """The largest gap between the two empirical CDFs, and the area between them, read
    at each distinct value of the merged samples, a slice of values at a time (a merge of
    the whole samples held several arrays of their joint size at once).

    Both CDFs at a value count the values up to it, ties included; a slice ends at a value
    (every piece_rows-th of either sample) so that ties never straddle two slices."""
    n1, n2 = len(reference), len(current)
    cuts = np.union1d(reference[piece_rows::piece_rows], current[piece_rows::piece_rows])
    reference_bounds = [0, *np.searchsorted(reference, cuts, side="right").tolist(), n1]
    current_bounds = [0, *np.searchsorted(current, cuts, side="right").tolist(), n2]
    statistic, distance = 0.0, 0.0
    previous: tuple[float, float] | None = None  # the last value read and its gap
    for k in range(len(reference_bounds) - 1):
        values, below_reference, below_current = _merged_counts(
            reference[reference_bounds[k] : reference_bounds[k + 1]],
            current[current_bounds[k] : current_bounds[k + 1]],
        )
        if not len(values):
            continue
        gaps = (reference_bounds[k] + below_reference) / n1 - (
            current_bounds[k] + below_current
        ) / n2
        statistic = max(statistic, float(gaps.max()), float(-gaps.min()))
        np.abs(gaps, out=gaps)
        if previous is not None:
            distance += previous[1] * (float(values[0]) - previous[0])
        distance += float(np.dot(gaps[:-1], np.diff(values)))
        previous = (float(values[-1]), float(gaps[-1]))
    return statistic, distance


def _merged_counts(
    reference: NDArray[Any], current: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """The distinct values of two sorted samples, and how many of each sample are at most
    each value. The samples are merged by placing each value of the shorter one among the
    other's (one binary search per value of the shorter; searching every distinct value in
    both took three times as long), each reference value before an equal current one."""
    short_first = len(reference) <= len(current)
    short, other = (reference, current) if short_first else (current, reference)
    size = len(short) + len(other)
    positions = np.searchsorted(other, short, side="left" if short_first else "right")
    positions += np.arange(len(short))
    from_short = np.zeros(size, dtype=bool)
    from_short[positions] = True
    merged = np.empty(size, dtype=np.result_type(reference, current))
    merged[positions] = short
    merged[~from_short] = other
    below_short = np.cumsum(from_short, dtype=np.int64)
    below_other = np.arange(1, size + 1, dtype=np.int64) - below_short
    last = np.ones(size, dtype=bool)  # the last of each run of equal values
    np.not_equal(merged[1:], merged[:-1], out=last[:-1])
    values, below_short, below_other = merged[last], below_short[last], below_other[last]
    return (values, below_short, below_other) if short_first else (values, below_other, below_short)


def chi_square_test(
    expected_counts: NDArray[Any], actual_counts: NDArray[Any]
) -> tuple[float, float]:
    """Two-sample chi-square test of homogeneity on a 2 x k contingency table.

    Categories too rare for the chi-square approximation (expected count under 5 in either
    sample) are pooled into one cell first. Returns (statistic, p-value).
    """
    table = np.vstack([expected_counts, actual_counts]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    totals = table.sum(axis=1, keepdims=True)
    expected = totals * table.sum(axis=0) / table.sum()
    rare = (expected < 5).any(axis=0)
    if rare.any():
        pooled = table[:, rare].sum(axis=1, keepdims=True)
        table = np.hstack([table[:, ~rare], pooled]) if pooled.sum() > 0 else table[:, ~rare]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0
    statistic, p_value, _dof, _expected = scipy_stats.chi2_contingency(table, correction=False)
    return float(statistic), float(p_value)


def ks_test(reference: NDArray[Any], current: NDArray[Any]) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov test; (statistic, p-value)."""
    values = ks_wasserstein_sorted(np.sort(reference), np.sort(current))
    return values["ks_statistic"], values["p_value"]
