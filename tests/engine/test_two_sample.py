import numpy as np
import pytest
from scipy import stats as scipy_stats

from apps.evaluations.engine import two_sample


def test_normed_wasserstein_is_in_reference_standard_deviations():
    rng = np.random.default_rng(0)
    reference, current = rng.normal(0, 3, 5000), rng.normal(0, 3, 5000) + 1.5

    value = two_sample.wasserstein_normed(reference, current)

    assert value == pytest.approx(
        scipy_stats.wasserstein_distance(reference, current) / reference.std()
    )
    assert value == pytest.approx(0.5, abs=0.05)


def test_chi_square_is_scipys_contingency_test_with_rare_cells_pooled():
    expected, actual = np.array([300, 200, 100]), np.array([250, 250, 100])
    statistic, p_value = two_sample.chi_square_test(expected, actual)
    reference = scipy_stats.chi2_contingency(np.vstack([expected, actual]), correction=False)

    assert (statistic, p_value) == pytest.approx((reference[0], reference[1]))
    pooled = two_sample.chi_square_test(np.array([300, 200, 1, 1]), np.array([300, 200, 2, 0]))
    assert pooled == pytest.approx(
        two_sample.chi_square_test(np.array([300, 200, 2]), np.array([300, 200, 2]))
    )


def test_ks_is_scipys():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=300), rng.normal(0.2, size=400)

    assert two_sample.ks_test(a, b) == pytest.approx(tuple(scipy_stats.ks_2samp(a, b))[:2])


def test_ks_and_wasserstein_are_scipys_on_tied_values_at_large_sizes():
    rng = np.random.default_rng(2)
    # Rounded values: every value is shared by many rows of both samples.
    a, b = np.round(rng.normal(0, 1, 30_000), 1), np.round(rng.normal(0.05, 1, 50_000), 1)

    values = two_sample.ks_wasserstein_sorted(np.sort(a), np.sort(b))

    expected = scipy_stats.ks_2samp(a, b)
    assert values["ks_statistic"] == pytest.approx(expected.statistic, abs=1e-12)
    assert values["p_value"] == pytest.approx(expected.pvalue, rel=0.01)
    assert values["wasserstein_normed"] == pytest.approx(
        scipy_stats.wasserstein_distance(a, b) / a.std(), rel=1e-9
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: (
            np.round(rng.normal(0, 1, 200_000), 2),
            np.round(rng.normal(0, 1.1, 300_000), 2),
        ),
        lambda rng: (rng.exponential(1, 150_000), rng.exponential(1.05, 250_000)),
        lambda rng: (rng.normal(0, 1, 140_000), rng.normal(8, 1, 70_000)),  # apart
        lambda rng: (rng.integers(0, 50, 120_000), rng.integers(0, 52, 40_000)),
    ],
    ids=["ties across slices", "continuous", "disjoint", "integers, the current shorter"],
)
def test_ks_and_wasserstein_read_slice_by_slice_are_scipys(make):
    """Samples of several slices (the CDFs are read a slice of values at a time)."""
    a, b = make(np.random.default_rng(5))

    values = two_sample.ks_wasserstein_sorted(np.sort(a), np.sort(b))

    assert values["ks_statistic"] == pytest.approx(scipy_stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert values["wasserstein_normed"] == pytest.approx(
        scipy_stats.wasserstein_distance(a, b) / a.std(), rel=1e-9
    )


@pytest.mark.parametrize("shift", [0.004, 0.006, 0.008, 0.01])
def test_ks_p_value_in_the_tail_at_large_sizes_stays_within_half_a_percent_of_scipys(shift):
    """p from about 0.05 down to 1e-6, where scipy sums a series as long as the sample."""
    rng = np.random.default_rng(11)
    reference, current = rng.normal(0, 1, 300_000), rng.normal(shift, 1, 400_000)

    statistic, p_value = two_sample.ks_test(reference, current)

    expected = scipy_stats.ks_2samp(reference, current)
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue, rel=0.005)


@pytest.mark.parametrize(("few", "shift"), [(5, 0.8), (30, 0.8), (500, 0.2), (100, 3.0)])
def test_ks_p_value_against_few_values_is_scipys(few, shift):
    """A large sample against a few values (a mostly empty column): scipy's own p-value,
    not the limit's, which is far off at such sizes, even where it is tiny."""
    rng = np.random.default_rng(3)
    reference, current = rng.normal(0, 1, 20_000), rng.normal(shift, 1, few)

    _, p_value = two_sample.ks_test(reference, current)

    assert p_value == pytest.approx(scipy_stats.ks_2samp(reference, current).pvalue, rel=1e-9)


def test_ks_p_value_of_a_clear_drift_at_large_sizes_stays_within_1_percent_of_scipys():
    rng = np.random.default_rng(5)
    reference, current = rng.normal(0, 1, 200_000), rng.normal(0.03, 1, 300_000)

    statistic, p_value = two_sample.ks_test(reference, current)

    expected = scipy_stats.ks_2samp(reference, current)
    assert statistic == pytest.approx(expected.statistic)
    assert 0 < p_value < 1e-6
    assert p_value == pytest.approx(expected.pvalue, rel=0.01)
