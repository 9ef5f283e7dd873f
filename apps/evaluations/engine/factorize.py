"""Numbering a column's values by first appearance, as `pandas.factorize` does, without its
hash table as long as the column: for integers within a small span, a table of the span.

The bootstrap numbers each array of class positions and then the cells they make: at a
million rows pandas' table and codes were its largest temporaries (58 MB for five arrays).
"""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

SPAN_LIMIT = 1 << 18  # integers spread wider go to pandas (the table would be as large)
_PIECE = 1 << 16  # rows read at a time, so no temporary is as long as the column


def first_seen_codes(values: NDArray[Any]) -> tuple[NDArray[np.intp], int]:
    """Each value's code, numbered by first appearance (pandas' numbering, so what is drawn
    over the codes stays the same), and how many distinct values there are."""
    if values.dtype.kind == "b":
        values = values.view(np.uint8)
    if values.dtype.kind not in "iu" or not len(values):
        codes, uniques = pd.factorize(values)
        return codes, len(uniques)
    low, high = int(values.min()), int(values.max())
    if high - low >= SPAN_LIMIT or high > np.iinfo(np.intp).max:
        codes, uniques = pd.factorize(values)
        return codes, len(uniques)
    rows = len(values)
    first = np.full(high - low + 1, rows, dtype=np.intp)  # each value's first row
    for start in range(0, rows, _PIECE):
        offsets = values[start : start + _PIECE].astype(np.intp) - low
        np.minimum.at(first, offsets, np.arange(start, start + len(offsets), dtype=np.intp))
    present = np.flatnonzero(first < rows)
    table = np.empty(len(first), dtype=np.intp)
    table[present[np.argsort(first[present])]] = np.arange(len(present), dtype=np.intp)
    codes = np.empty(rows, dtype=np.intp)
    for start in range(0, rows, _PIECE):
        offsets = values[start : start + _PIECE].astype(np.intp) - low
        np.take(table, offsets, out=codes[start : start + _PIECE])
    return codes, len(present)
