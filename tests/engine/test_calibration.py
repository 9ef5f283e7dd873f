import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.registry import get_check
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets

ECE_PLAN = [
    {
        "criterion": "CAL-01",
        "check": "calibration.classification",
        "comparator": "<=",
        "threshold": 0.05,
    }
]


def measure(context, **params):
    check = get_check("calibration.classification")
    [measurement] = check.run(context, check.params_with_defaults(params))
    return measurement


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_the_reliability_curve_is_scikit_learns(healthy, strategy):
    measurement = measure(context_for(healthy), strategy=strategy)
    curve = measurement.evidence["reliability_curve"]
    frequency, predicted = calibration_curve(
        healthy.evaluation["y"], healthy.evaluation["probability"], n_bins=10, strategy=strategy
    )
    used = np.array(curve["count"]) > 0

    np.testing.assert_allclose(np.array(curve["observed_frequency"])[used], frequency)
    np.testing.assert_allclose(np.array(curve["mean_predicted"])[used], predicted)
    counts = np.array(curve["count"])[used]
    gaps = np.abs(frequency - predicted)
    assert measurement.observed["expected_calibration_error"] == pytest.approx(
        np.sum(counts * gaps) / counts.sum()
    )


def test_brier_score_and_skill(healthy):
    observed = measure(context_for(healthy)).observed
    truth, probability = healthy.evaluation["y"], healthy.evaluation["probability"]
    base_rate = healthy.train["y"].mean()

    assert observed["brier_score"] == pytest.approx(brier_score_loss(truth, probability))
    reference = np.mean((base_rate - truth) ** 2)
    assert observed["brier_skill_score"] == pytest.approx(1 - observed["brier_score"] / reference)


def test_an_overconfident_model_fails_and_says_so():
    data = datasets(1)
    logit = np.log(data.evaluation["probability"] / (1 - data.evaluation["probability"]))
    data.evaluation["probability"] = 1 / (1 + np.exp(-3 * logit))

    [result] = evaluate(context_for(data), plan_parse(ECE_PLAN)).results

    assert result.outcome == "fail"
    assert result.observed["overconfidence_rate"] > 5 * result.observed["underconfidence_rate"]
    assert result.observed["expected_calibration_error"] == pytest.approx(
        result.observed["overconfidence_rate"] + result.observed["underconfidence_rate"]
    )
    assert "consistency resampling" in result.message


def test_small_samples_of_a_calibrated_model_are_not_flagged_for_noise():
    """At 150 rows the error of a perfectly calibrated model often exceeds 0.05 by chance;
    the consistency test keeps those from failing."""
    outcomes, over_threshold = [], 0
    for seed in range(20):
        data = datasets(seed, rows=150)
        [result] = evaluate(context_for(data), plan_parse(ECE_PLAN)).results
        outcomes.append(result.outcome)
        over_threshold += result.observed["expected_calibration_error"] > 0.05

    assert over_threshold >= 5
    assert outcomes.count("fail") <= 1


def test_multiclass_calibration_uses_the_top_label_confidence():
    data = datasets(2, task="multiclass")
    observed = measure(context_for(data, task="multiclass")).observed
    probabilities = data.evaluation[["p0", "p1", "p2"]].to_numpy()

    assert observed["brier_score"] == pytest.approx(
        brier_score_loss(data.evaluation["y"], probabilities)
    )
    assert observed["expected_calibration_error"] < 0.05
