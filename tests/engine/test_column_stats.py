import numpy as np
import pandas as pd

from apps.evaluations.engine.checks.data_quality_columns import most_frequent
from apps.evaluations.engine.column_stats import NumberSummary, sorted_finite, sorted_numbers


def summary(values) -> NumberSummary:
    numbers = sorted_numbers(pd.Series(values))
    assert numbers is not None
    return NumberSummary.of(numbers)


def test_a_summary_counts_distinct_values_and_finds_the_dominant_one():
    described = summary([3.0, 1.0, 3.0, np.nan, 2.0, 3.0])

    assert (described.rows, described.missing, described.distinct) == (6, 1, 3)
    assert (described.mode, described.mode_count) == (3.0, 3)


def test_missing_values_can_dominate_and_a_present_value_wins_a_tie():
    assert np.isnan(summary([np.nan, np.nan, 1.0]).mode)
    assert summary([np.nan, 1.0]).mode == 1.0
    empty = summary([np.nan, np.nan])
    assert (empty.distinct, empty.mode_count) == (0, 2)


def test_the_dominant_value_agrees_with_counting_by_hash():
    rng = np.random.default_rng(0)
    values = pd.Series(np.where(rng.random(5000) < 0.1, np.nan, rng.integers(0, 40, 5000)))

    value, count, distinct = most_frequent(values)

    counts = values.value_counts(dropna=False)
    assert count == counts.max() and distinct == len(counts)
    assert values.eq(value).sum() == count or (np.isnan(value) and values.isna().sum() == count)


def test_finite_values_leave_out_infinities_and_text_that_is_not_a_number():
    assert sorted_finite(pd.Series([2.0, -np.inf, 1.0, np.inf, np.nan])).tolist() == [1.0, 2.0]
    assert sorted_finite(pd.Series(["3", "x", "1"])).tolist() == [1.0, 3.0]
