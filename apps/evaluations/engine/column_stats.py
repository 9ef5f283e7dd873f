"""Statistics of one column that several checks read, computed once per run.

Sorting a numeric column is the costly step of drift's tests, of the dominant value and of
the count of distinct values. The sorted values themselves are as large as the column, so
the context keeps only their summary (`NumberSummary`), made by whichever check sorts the
column first: the dominant value and the distinct count then cost a lookup.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray


@dataclass(frozen=True)
class SortedNumbers:
    """The present values of a numeric column, sorted (infinities at the ends), and how many
    are missing."""

    values: NDArray[Any]
    missing: int

    def finite(self) -> NDArray[np.float64]:
        """The finite values as floats, sorted."""
        values = self.values
        if values.dtype.kind == "f":
            low = int(np.searchsorted(values, -np.inf, side="right"))
            high = int(np.searchsorted(values, np.inf, side="left"))
            return values[low:high]
        return values.astype(float)


@dataclass(frozen=True)
class NumberSummary:
    """What the sorted values of a numeric column tell in a few numbers."""

    rows: int
    missing: int
    distinct: int  # present values
    mode: Any  # the most frequent value, missing (NaN) included as one value
    mode_count: int

    @classmethod
    def of(cls, numbers: SortedNumbers) -> "NumberSummary":
        """From one pass over the runs of equal values."""
        values, missing = numbers.values, numbers.missing
        starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
        if not len(values):
            starts = starts[:0]
        mode, count = (np.nan, missing) if missing else (None, 0)
        if len(starts):
            runs = np.diff(np.append(starts, len(values)))
            longest = int(np.argmax(runs))
            if runs[longest] >= count:  # a present value wins a tie with missing
                mode, count = values[starts[longest]].item(), int(runs[longest])
        return cls(len(values) + missing, missing, len(starts), mode, count)


def sorted_numbers(values: pd.Series) -> SortedNumbers | None:
    """The column's sorted present values, or None when it is not of a numeric type."""
    if values.dtype.kind not in "iufb":
        return None
    if isinstance(values.dtype, np.dtype):
        numbers = values.to_numpy()
    else:  # a nullable extension type: its missing values become NaN
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
    if numbers.dtype.kind == "f":
        missing = np.isnan(numbers)
        count = int(missing.sum())
        present = numbers[~missing] if count else numbers.copy()
    else:
        count, present = 0, numbers.copy()
    present.sort()
    return SortedNumbers(present, count)


def sorted_finite(values: pd.Series) -> NDArray[np.float64]:
    """The finite values of any column read as numbers (text that is not a number left
    out), sorted."""
    numbers = sorted_numbers(values)
    if numbers is not None:
        return numbers.finite()
    floats: NDArray[np.float64] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    floats = floats[np.isfinite(floats)]
    floats.sort()
    return floats
