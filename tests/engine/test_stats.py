import numpy as np
import pytest
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


def test_the_resamples_do_not_depend_on_how_many_are_drawn_at_a_time(monkeypatch):
    """The batch only bounds the memory: numpy draws the same counts in small batches."""
    values = np.random.default_rng(8).normal(size=3000)

    def drawn():
        batches = []

        def compute(counts, values):
            batches.append(counts.copy())
            return {"mean": counts @ values / counts.sum(axis=1)}

        settings = stats.BootstrapSettings(resamples=300)
        stats.bootstrap_values(compute, (values,), {"mean": values.mean()}, settings)
        return batches

    whole = drawn()
    monkeypatch.setattr(stats, "_BATCH_CELLS", 7 * 3000)  # 7 resamples a batch
    batched = drawn()

    assert len(whole) == 1 and len(batched) == 43
    np.testing.assert_array_equal(np.vstack(batched), whole[0])
    assert whole[0].shape == (300, 3000) and (whole[0].sum(axis=1) == 3000).all()


def test_one_integer_array_makes_the_cells_that_it_and_a_constant_make():
    key = np.random.default_rng(9).integers(0, 40, 5000) * 3

    codes, size, exact = stats.row_cells((key,), None, 4096)
    with_constant = stats.row_cells((key, np.zeros(5000, dtype=int)), None, 4096)

    np.testing.assert_array_equal(codes, with_constant[0])
    assert (size, exact) == with_constant[1:] == (40, True)
    assert codes[0] == 0 and codes.max() == 39  # numbered by first appearance
    assert stats.row_cells((np.arange(5000),), None, 4096) is None
