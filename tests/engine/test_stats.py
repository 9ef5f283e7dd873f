import numpy as np
import pytest
from scipy import stats as scipy_stats
from scipy.spatial import distance

from apps.evaluations.engine import stats


def test_benjamini_hochberg_matches_the_textbook_procedure():
    adjusted = stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005, np.nan])

    np.testing.assert_allclose(adjusted[:4], [0.02, 0.04, 0.04, 0.02])
    assert np.isnan(adjusted[4])


def test_psi_has_its_closed_form_value():
    value = stats.psi(np.array([50, 50]), np.array([70, 30]))

    assert value == pytest.approx(0.2 * np.log(1.4) - 0.2 * np.log(0.6))
    assert stats.psi(np.array([10, 0]), np.array([10, 0])) == 0.0


def test_jensen_shannon_is_scipys_in_base_two():
    p, q = np.array([5, 3, 2]), np.array([2, 2, 6])

    assert stats.jensen_shannon(p, q) == pytest.approx(
        distance.jensenshannon(p / 10, q / 10, base=2)
    )
    assert stats.jensen_shannon(np.array([1, 0]), np.array([0, 1])) == pytest.approx(1.0)


def test_normed_wasserstein_is_in_reference_standard_deviations():
    rng = np.random.default_rng(0)
    reference, current = rng.normal(0, 3, 5000), rng.normal(0, 3, 5000) + 1.5

    value = stats.wasserstein_normed(reference, current)

    assert value == pytest.approx(
        scipy_stats.wasserstein_distance(reference, current) / reference.std()
    )
    assert value == pytest.approx(0.5, abs=0.05)


def test_chi_square_is_scipys_contingency_test_with_rare_cells_pooled():
    expected, actual = np.array([300, 200, 100]), np.array([250, 250, 100])
    statistic, p_value = stats.chi_square_test(expected, actual)
    reference = scipy_stats.chi2_contingency(np.vstack([expected, actual]), correction=False)

    assert (statistic, p_value) == pytest.approx((reference[0], reference[1]))
    pooled = stats.chi_square_test(np.array([300, 200, 1, 1]), np.array([300, 200, 2, 0]))
    assert pooled == pytest.approx(
        stats.chi_square_test(np.array([300, 200, 2]), np.array([300, 200, 2]))
    )


def test_ks_is_scipys():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=300), rng.normal(0.2, size=400)

    assert stats.ks_test(a, b) == pytest.approx(tuple(scipy_stats.ks_2samp(a, b))[:2])


def test_ks_and_wasserstein_are_scipys_on_tied_values_at_large_sizes():
    rng = np.random.default_rng(2)
    # Rounded values: every value is shared by many rows of both samples.
    a, b = np.round(rng.normal(0, 1, 30_000), 1), np.round(rng.normal(0.05, 1, 50_000), 1)

    values = stats.ks_wasserstein_sorted(np.sort(a), np.sort(b))

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
    ],
    ids=["ties across slices", "continuous", "disjoint"],
)
def test_ks_and_wasserstein_read_slice_by_slice_are_scipys(make):
    """Samples of several slices (the CDFs are read a slice of values at a time)."""
    a, b = make(np.random.default_rng(5))

    values = stats.ks_wasserstein_sorted(np.sort(a), np.sort(b))

    assert values["ks_statistic"] == pytest.approx(scipy_stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert values["wasserstein_normed"] == pytest.approx(
        scipy_stats.wasserstein_distance(a, b) / a.std(), rel=1e-9
    )


def test_quantile_bins_count_every_value_once():
    values = np.random.default_rng(2).exponential(size=1000)
    edges = stats.quantile_edges(values, 10)

    counts = stats.binned_counts(values, edges)

    assert counts.sum() == 1000
    assert counts.min() >= 90


def stats_weighted_mean(counts, values):
    return counts @ values / counts.sum(axis=1)


def test_percentile_bootstrap_intervals_cover_the_truth_at_their_nominal_rate():
    """200 samples of 300 rows from a classifier that is right 80% of the time, and of
    absolute errors with a known mean: the 95% intervals cover the truth ~95% of the time."""
    rng = np.random.default_rng(3)
    true_mae = np.sqrt(2 / np.pi)
    covered = {"accuracy": 0, "mae": 0}
    repetitions = 200
    settings = stats.BootstrapSettings(resamples=500, level=0.95)
    for seed in range(repetitions):
        correct = (rng.random(300) < 0.8).astype(float)
        errors = np.abs(rng.normal(size=300))

        def compute(counts, correct, errors):
            return {
                "accuracy": stats_weighted_mean(counts, correct),
                "mae": stats_weighted_mean(counts, errors),
            }

        points = {"accuracy": correct.mean(), "mae": errors.mean()}
        intervals, _ = stats.bootstrap(
            compute, (correct, errors), points, stats.BootstrapSettings(resamples=500, seed=seed)
        )
        covered["accuracy"] += intervals["accuracy"]["low"] <= 0.8 <= intervals["accuracy"]["high"]
        covered["mae"] += intervals["mae"]["low"] <= true_mae <= intervals["mae"]["high"]
    assert settings.level == 0.95
    for metric, count in covered.items():
        # Binomial(200, 0.95) lies in [180, 197] with probability > 0.99.
        assert 180 <= count <= 198, (metric, count)


def test_a_large_sample_is_bootstrapped_on_a_subsample_with_rescaled_spread():
    rng = np.random.default_rng(4)
    correct = (rng.random(400_000) < 0.7).astype(float)

    def compute(counts, correct):
        return {"accuracy": stats_weighted_mean(counts, correct)}

    settings = stats.BootstrapSettings(resamples=400, max_rows=20_000)
    intervals, sampling = stats.bootstrap(
        compute, (correct,), {"accuracy": correct.mean()}, settings
    )

    expected_width = 2 * 1.96 * np.sqrt(0.7 * 0.3 / 400_000)
    width = intervals["accuracy"]["high"] - intervals["accuracy"]["low"]
    assert width == pytest.approx(expected_width, rel=0.2)
    assert sampling["method"] == "m-out-of-n bootstrap"
    assert (sampling["rows"], sampling["of_rows"]) == (20_000, 400_000)


def test_discrete_rows_are_bootstrapped_exactly_as_cells_at_any_size():
    """Integer arrays take few combinations: the multinomial over them is the bootstrap of
    all n rows, so the interval has the binomial width without any subsample."""
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 2, 400_000)
    predicted = np.where(rng.random(400_000) < 0.7, truth, 1 - truth)

    def compute(counts, truth, predicted):
        return {"accuracy": counts @ (truth == predicted) / counts.sum(axis=1)}

    settings = stats.BootstrapSettings(resamples=1000, max_rows=20_000)
    intervals, sampling = stats.bootstrap(
        compute, (truth, predicted), {"accuracy": np.mean(truth == predicted)}, settings
    )

    p = np.mean(truth == predicted)
    expected_width = 2 * 1.96 * np.sqrt(p * (1 - p) / 400_000)
    width = intervals["accuracy"]["high"] - intervals["accuracy"]["low"]
    assert width == pytest.approx(expected_width, rel=0.1)
    assert sampling["method"] == "bootstrap"
    assert (sampling["rows"], sampling["cells"]) == (400_000, 4)


def test_continuous_arrays_are_not_grouped_unless_the_check_gives_a_key():
    values = np.random.default_rng(6).normal(size=1000)

    assert stats.row_cells((values,), None, 4096) is None
    _codes, size, exact = stats.row_cells((values,), (values > 0).astype(int), 4096)
    assert (size, exact) == (2, False)
    assert stats.row_cells((np.arange(10_000),), None, 4096) is None  # too many cells


def test_grouped_rows_keep_the_metrics_spread_around_the_full_datas_estimate():
    """ROC AUC at 300,000 rows: grouping by class and score bin gives the interval of the
    row bootstrap (its width from the Hanley-McNeil formula) around the exact estimate."""
    from sklearn.metrics import roc_auc_score

    from apps.evaluations.engine import weighted_metrics as wm

    rng = np.random.default_rng(7)
    n = 300_000
    truth = rng.integers(0, 2, n)
    scores = 1 / (1 + np.exp(-(1.2 * truth + rng.normal(size=n))))
    point = roc_auc_score(truth, scores)

    def compute(counts, truth, scores):
        return {"auc": wm.roc_auc(counts, scores, truth == 1)}

    edges = np.quantile(scores, np.linspace(0, 1, 501)[1:-1])
    key = truth * 1000 + np.searchsorted(edges, scores)
    intervals, sampling = stats.bootstrap(
        compute, (truth, scores), {"auc": point}, stats.BootstrapSettings(resamples=500), key
    )

    positives, negatives = truth.sum(), n - truth.sum()
    q1, q2 = point / (2 - point), 2 * point**2 / (1 + point)
    variance = (
        point * (1 - point) + (positives - 1) * (q1 - point**2) + (negatives - 1) * (q2 - point**2)
    ) / (positives * negatives)
    width = intervals["auc"]["high"] - intervals["auc"]["low"]
    assert width == pytest.approx(2 * 1.96 * np.sqrt(variance), rel=0.15)
    assert intervals["auc"]["low"] < point < intervals["auc"]["high"]
    assert sampling["method"] == "bootstrap over grouped rows"


@pytest.mark.parametrize("shift", [0.004, 0.006, 0.008, 0.01])
def test_ks_p_value_in_the_tail_at_large_sizes_stays_within_half_a_percent_of_scipys(shift):
    """p from about 0.05 down to 1e-6, where scipy sums a series as long as the sample."""
    rng = np.random.default_rng(11)
    reference, current = rng.normal(0, 1, 300_000), rng.normal(shift, 1, 400_000)

    statistic, p_value = stats.ks_test(reference, current)

    expected = scipy_stats.ks_2samp(reference, current)
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue, rel=0.005)


@pytest.mark.parametrize(("few", "shift"), [(5, 0.8), (30, 0.8), (500, 0.2), (100, 3.0)])
def test_ks_p_value_against_few_values_is_scipys(few, shift):
    """A large sample against a few values (a mostly empty column): scipy's own p-value,
    not the limit's, which is far off at such sizes, even where it is tiny."""
    rng = np.random.default_rng(3)
    reference, current = rng.normal(0, 1, 20_000), rng.normal(shift, 1, few)

    _, p_value = stats.ks_test(reference, current)

    assert p_value == pytest.approx(scipy_stats.ks_2samp(reference, current).pvalue, rel=1e-9)


def test_ks_p_value_of_a_clear_drift_at_large_sizes_stays_within_1_percent_of_scipys():
    rng = np.random.default_rng(5)
    reference, current = rng.normal(0, 1, 200_000), rng.normal(0.03, 1, 300_000)

    statistic, p_value = stats.ks_test(reference, current)

    expected = scipy_stats.ks_2samp(reference, current)
    assert statistic == pytest.approx(expected.statistic)
    assert 0 < p_value < 1e-6
    assert p_value == pytest.approx(expected.pvalue, rel=0.01)
