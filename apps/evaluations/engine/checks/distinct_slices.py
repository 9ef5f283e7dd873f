"""Which weak slices are distinct problems: each becomes its own result (and finding), so
one weak bin is not split into its noisiest pairs, nor one problem reported twice."""

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as scipy_stats

_MAX_CANDIDATES = 200  # weak slices tried as distinct ones (their rests are tested)
# Per feature: its name, each row's bin and the bins' descriptions.
Binned = list[tuple[str, NDArray[Any], list[str]]]
# A slice: the features (positions in Binned), their bins, rows, gap and p-value.
Slice = tuple[list[int], list[int], int, float, float]


def distinct_slices(
    binned: Binned,
    weak: list[tuple[Slice, float]],
    losses: NDArray[Any],
    expected: NDArray[Any] | None,
    scale: float,
    params: dict[str, Any],
) -> list[tuple[Slice, float, NDArray[np.bool_]]]:
    """The distinct weak slices, weakest first, each with its rows.

    Simplest first (one feature, then pairs), weakest first within each: a slice counts
    only if its rows that no slice before it claimed are weak by themselves (east is not
    weak on its own when east & phone explains it), and is left out when `overlap` of its
    rows lie inside a slice already kept (a pair inside a weak feature's bin is the same
    problem, and ranking them by gap alone would split one weak bin into its noisiest
    pairs). Then a kept bin whose weakness one pair inside it explains (the bin without
    the pair is not weak) is named by that pair, the sharper description.
    """
    candidates = sorted(weak, key=lambda pair: len(pair[0][0]))[:_MAX_CANDIDATES]
    # each candidate's remaining rows are one more test: Bonferroni over the candidates
    rest_params = {**params, "alpha": params["alpha"] / max(len(candidates), 1)}

    def weak_rows(rows: NDArray[np.bool_]) -> bool:
        return bool(rows.sum() >= params["min_slice_size"]) and _still_weak(
            losses[rows], None if expected is None else expected[rows], losses.mean(), scale,
            rest_params,
        )  # fmt: skip

    def inside(mask: NDArray[np.bool_], other: NDArray[np.bool_]) -> bool:
        shared = (mask & other).sum()
        return bool(shared > 0 and shared >= params["overlap"] * mask.sum())

    masks = [slice_mask(binned, entry[0], entry[1]) for entry, _ in candidates]
    claimed = np.zeros(len(losses), dtype=bool)
    distinct: list[tuple[Slice, float, NDArray[np.bool_]]] = []
    for (entry, p_value), mask in zip(candidates, masks, strict=True):
        rest = mask & ~claimed
        if not weak_rows(rest):
            continue
        claimed |= rest
        if not any(inside(mask, other) for *_, other in distinct):
            distinct.append((entry, p_value, mask))
    for position, (entry, _, mask) in enumerate(distinct):
        if len(entry[0]) > 1:
            continue
        for (inner, inner_p), inner_mask in zip(candidates, masks, strict=True):
            sharper = len(inner[0]) > 1 and inside(inner_mask, mask)
            if sharper and not weak_rows(mask & ~inner_mask):
                distinct[position] = (inner, inner_p, inner_mask)
                break
    distinct.sort(key=lambda found: (-found[0][3], -found[0][2]))
    return distinct


def _still_weak(
    losses: NDArray[Any],
    expected: NDArray[Any] | None,
    overall: float,
    scale: float,
    params: dict[str, Any],
) -> bool:
    """Whether rows left of a slice are still weak by themselves: a gap of at least `gap`
    and a one-sided test at alpha."""
    if expected is not None:
        gap = losses.mean() - expected.mean()
        p_value = scipy_stats.poisson.sf(round(losses.sum()) - 1, expected.sum())
    else:
        gap = losses.mean() - overall
        spread = losses.std(ddof=1) / np.sqrt(len(losses)) if len(losses) > 1 else 0.0
        p_value = scipy_stats.t.sf(gap / spread, len(losses) - 1) if spread > 0 else 1.0
    weak: bool = gap / scale >= params["gap"] and p_value < params["alpha"]
    return weak


def slice_mask(binned: Binned, group: list[int], bins: list[int]) -> NDArray[np.bool_]:
    mask = np.ones(len(binned[0][1]), dtype=bool)
    for index, code in zip(group, bins, strict=True):
        mask &= binned[index][1] == code
    return mask


def describe_slice(binned: Binned, group: list[int], bins: list[int]) -> str:
    return " & ".join(binned[index][2][code] for index, code in zip(group, bins, strict=True))
