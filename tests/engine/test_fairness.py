import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as fl

from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.registry import get_check
from tests.engine.synthetic import population

FAIRNESS_PLAN = [  # the catalogue's FAIR-01..04 bounds
    ("demographic_parity_ratio", ">=", 0.8),
    ("equalized_odds_difference", "<=", 0.1),
    ("true_positive_rate_ratio", ">=", 0.8),
    ("balanced_accuracy_difference", "<=", 0.1),
]


def with_groups(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Two sensitive columns independent of everything else: a fair model's groups."""
    rng = np.random.default_rng(seed + 1000)
    frame = frame.copy()
    frame["sex"] = rng.choice(["F", "M"], len(frame))
    frame["age_band"] = rng.choice(["<30", "30-50", ">50"], len(frame), p=[0.3, 0.5, 0.2])
    return frame


def context(frame, sensitive=("sex", "age_band"), task="binary"):
    columns = ("prediction", ["probability"]) if task == "binary" else ("prediction", [])
    return EvaluationContext(
        evaluation=frame,
        target="y",
        sensitive=list(sensitive),
        source=ColumnPredictions(*columns),
        task=task,
    )


def fairness_results(ctx, check="fairness.classification", plan=FAIRNESS_PLAN, **params):
    items = [
        {"check": check, "metric": metric, "comparator": comparator, "threshold": threshold,
         "params": params}
        for metric, comparator, threshold in plan
    ]  # fmt: skip
    return evaluate(ctx, plan_parse(items)).results


def test_metrics_equal_fairlearns_on_the_same_inputs():
    frame = with_groups(population(3000, 1), 1)
    results = fairness_results(context(frame, sensitive=["sex"]), n_bootstrap=0)

    observed = results[0].observed
    y, p, groups = frame["y"], frame["prediction"], frame["sex"]
    assert observed["demographic_parity_ratio"] == pytest.approx(
        fl.demographic_parity_ratio(y, p, sensitive_features=groups)
    )
    assert observed["equalized_odds_difference"] == pytest.approx(
        fl.equalized_odds_difference(y, p, sensitive_features=groups)
    )
    assert observed["equalized_odds_ratio"] == pytest.approx(
        fl.equalized_odds_ratio(y, p, sensitive_features=groups)
    )
    assert observed["true_positive_rate_difference"] == pytest.approx(
        fl.true_positive_rate_difference(y, p, sensitive_features=groups)
    )


def test_the_bootstrap_reproduces_the_point_estimates_and_gives_intervals_around_them():
    frame = with_groups(population(4000, 2), 2)
    result = fairness_results(context(frame, sensitive=["age_band"]))[0]

    interval = result.ci
    assert interval["low"] < result.observed["demographic_parity_ratio"] <= interval["high"]
    assert 0.0 < interval["high"] - interval["low"] < 0.2
    assert result.sampling["method"] == "bootstrap"  # rows grouped in exact cells


def test_a_fair_model_fails_no_more_often_than_the_tests_level():
    """20 seeds x 4 metrics: a failure needs the bound crossed AND equal rates rejected at
    5% (corrected over the three subjects), so at most ~5% of the 80 trials fail; 8 is
    above Binomial(80, 0.05)'s 99th percentile."""
    failed_trials = set()
    for seed in range(20):
        frame = with_groups(population(3000, 100 + seed), seed)
        results = fairness_results(context(frame))
        assert {r.subject for r in results} == {"sex", "age_band", "sex & age_band"}
        failed_trials |= {(seed, r.metric) for r in results if r.outcome == "fail"}
    assert len(failed_trials) <= 8, sorted(failed_trials)


def test_a_bias_against_one_group_is_found_on_its_column_and_intersections():
    frame = with_groups(population(4000, 7), 7)
    rng = np.random.default_rng(7)
    hit = (frame["sex"] == "F") & (frame["prediction"] == 1) & (rng.random(len(frame)) < 0.5)
    frame.loc[hit, "prediction"] = 0  # half the women's positive decisions withheld

    results = fairness_results(context(frame), plan=FAIRNESS_PLAN[:1])

    by_subject = {r.subject: r for r in results}
    assert by_subject["sex"].outcome == "fail"
    assert "significant" in by_subject["sex"].message
    assert by_subject["sex & age_band"].outcome == "fail"
    assert by_subject["age_band"].outcome == "pass"
    rates = {g["group"]: g["selection_rate"] for g in by_subject["sex"].evidence["groups"]}
    assert rates["F"] < 0.6 * rates["M"]


def test_missing_values_form_their_own_group_and_small_groups_are_not_judged():
    frame = with_groups(population(2000, 3), 3)
    frame.loc[frame.index[:200], "sex"] = None
    frame.loc[frame.index[200:210], "age_band"] = "unknown"  # 10 rows

    results = fairness_results(context(frame), plan=FAIRNESS_PLAN[:1], min_group_size=30)

    by_subject = {r.subject: r for r in results}
    groups = {g["group"]: g for g in by_subject["sex"].evidence["groups"]}
    assert groups["(missing)"]["rows"] == 200 and groups["(missing)"]["judged"]
    band = {g["group"]: g for g in by_subject["age_band"].evidence["groups"]}
    assert band["unknown"] == {**band["unknown"], "rows": 10, "judged": False}
    assert "not judged: unknown" in by_subject["age_band"].message


def test_a_subject_without_two_large_groups_is_skipped_with_the_reason():
    frame = with_groups(population(100, 4), 4)

    result = fairness_results(context(frame, sensitive=["age_band"]), min_group_size=60)[0]

    assert result.outcome == "skipped"
    assert "fewer than two groups" in result.message


def test_a_multiclass_model_needs_its_favourable_class():
    frame = population(600, 5, task="multiclass")
    frame["sex"] = np.random.default_rng(5).choice(["F", "M"], len(frame))
    ctx = EvaluationContext(
        evaluation=frame,
        target="y",
        sensitive=["sex"],
        source=ColumnPredictions("prediction", ["p0", "p1", "p2"]),
        task="multiclass",
    )
    check = get_check("fairness.classification")

    assert "positive_label" in check.run(ctx, check.params_with_defaults({}))[0].skipped
    with pytest.raises(EngineError, match="not one of the classes"):
        check.run(ctx, check.params_with_defaults({"positive_label": "seven"}))
    measured = check.run(ctx, check.params_with_defaults({"positive_label": 2}))
    assert measured[0].observed["demographic_parity_ratio"] > 0


REGRESSION_PLAN = [("mae_ratio", "<=", 1.25)]


def test_regression_errors_of_a_fair_model_fail_no_more_often_than_the_tests_level():
    failed_seeds = set()
    for seed in range(20):
        frame = with_groups(population(3000, 200 + seed, task="regression"), seed)
        results = fairness_results(
            context(frame, task="regression"), "fairness.regression", REGRESSION_PLAN
        )
        assert len(results) == 3
        failed_seeds |= {seed for r in results if r.outcome == "fail"}
    assert len(failed_seeds) <= 3, sorted(failed_seeds)  # Binomial(20, 0.05): P(> 3) < 2%


def test_a_group_with_larger_regression_errors_is_found():
    frame = with_groups(population(3000, 9, task="regression"), 9)
    rng = np.random.default_rng(9)
    older = frame["age_band"] == ">50"
    frame.loc[older, "prediction"] += rng.normal(0, 3, older.sum())

    results = fairness_results(
        context(frame, task="regression"), "fairness.regression", REGRESSION_PLAN
    )

    by_subject = {r.subject: r for r in results}
    assert by_subject["age_band"].outcome == "fail"
    assert by_subject["sex"].outcome == "pass"
    maes = {g["group"]: g["mae"] for g in by_subject["age_band"].evidence["groups"]}
    assert maes[">50"] == max(maes.values())
