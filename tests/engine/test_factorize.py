"""Codes by first appearance without pandas' hash table: pandas' own numbering."""

import numpy as np
import pandas as pd
import pytest

from apps.evaluations.engine.factorize import SPAN_LIMIT, first_seen_codes

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    "values",
    [
        RNG.integers(0, 3, 300_000),  # class positions, several pieces long
        RNG.integers(-128, 127, 100_001).astype(np.int8),  # the span overflows int8
        RNG.integers(0, 250, 1000).astype(np.uint8),
        RNG.integers(0, 2, 70_000).astype(bool),
        np.broadcast_to(np.int64(1), (200_000,)),  # a constant baseline's answers
        RNG.integers(0, SPAN_LIMIT + 10, 50_000),  # too wide: pandas numbers them
        np.array([2**63, 5, 2**63], dtype=np.uint64),  # beyond a signed index
        np.array([5, 5, 2, 9, 2, 5]),
        np.array([], dtype=np.int64),
        RNG.random(100),
    ],
    ids=[
        "classes",
        "int8",
        "uint8",
        "bool",
        "constant",
        "wide",
        "uint64",
        "small",
        "empty",
        "floats",
    ],
)
def test_codes_and_count_are_pandas_factorize(values):
    codes, count = first_seen_codes(values)

    expected, uniques = pd.factorize(values)
    assert count == len(uniques)
    np.testing.assert_array_equal(codes, expected)
    assert codes.dtype == expected.dtype
