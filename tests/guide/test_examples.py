"""The guide's example charts: drawn by the pages' own builders from invented values, the
same on every visit, keeping the shared chart rules, and the trend marking the version that
fails its criterion."""

import pytest

from apps.evaluations import engine
from apps.guide.examples import Judgement, check_examples
from apps.guide.selectors import guide_check
from apps.guide.statistics import EXACT, parameter_rows, statistics_sentences
from qualiti.charts import FAIL_SYMBOL, RED
from tests.support.chart_rules import chart_rule_breaches

pytestmark = pytest.mark.django_db

RUN_PICTURES = {
    "performance.classification": "Confusion matrix",
    "calibration.classification": "Calibration (reliability) curve",
    "drift.columns": "Drift per feature (effect size)",
    "fairness.classification": "Selection rate by sex",
    "fairness.regression": "Mae by sex",
    "robustness.noise": "Degradation under noise",
    "efficiency.latency": "Latency per call",
    "anomaly.input_outliers": "Input outliers on the two main directions of the inputs",
}


def test_every_check_has_examples_that_keep_the_chart_rules():
    for key in engine.registered_checks():
        guide = guide_check(key=key)

        assert guide is not None and guide.examples, key
        for example in guide.examples:
            assert chart_rule_breaches(example.figure) == [], (key, example.name)
            assert example.reading and example.label.endswith("(example with invented values)")


def test_a_check_with_a_picture_on_the_run_page_shows_it_first():
    for key, title in RUN_PICTURES.items():
        first = guide_check(key=key).examples[0]

        assert first.figure["layout"]["title"]["text"] == title, key


def test_the_examples_are_the_same_on_every_visit():
    first = guide_check(key="anomaly.input_outliers").figures
    assert guide_check(key="anomaly.input_outliers").figures == first


@pytest.mark.parametrize(
    ("metric", "comparator", "threshold"),
    [
        ("demographic_parity_ratio", ">=", 0.8),
        ("equalized_odds_difference", "<=", 0.1),
        ("schema_mismatch_count", "<=", 0.0),
        ("rows_per_second", ">=", 1000.0),
        ("predictive_power", "<=", 0.9),
        ("balanced_accuracy_skill", ">=", 0.0),
    ],
)
def test_the_trend_fails_one_version_against_the_criterions_threshold(
    metric, comparator, threshold
):
    check = next(check for check in engine.registered_checks().values() if metric in check.metrics)
    judgement = Judgement(code="X-01", name="x", metric=metric, comparator=comparator,
                          threshold=threshold)  # fmt: skip

    trend = check_examples(check, judgement)[-1]

    marker = trend.figure["data"][0]["marker"]
    assert marker["symbol"] == ["circle", "circle", FAIL_SYMBOL, "circle"]
    assert marker["color"][2] == RED
    assert trend.figure["layout"]["shapes"][0]["y0"] == threshold
    assert "v3 misses it" in trend.reading and "X-01" in trend.reading


def test_a_check_no_criterion_judges_is_drawn_without_a_threshold():
    check = engine.registered_checks()["robustness.behaviour"]

    trend = check_examples(check, None)[-1]

    assert "shapes" not in trend.figure["layout"]
    assert "No catalogue criterion judges this check yet" in trend.reading


def test_a_check_without_sampling_or_test_is_said_to_be_exact():
    assert statistics_sentences(engine.registered_checks()["data_quality.constant_columns"]) == [
        EXACT
    ]


def test_the_parameters_say_what_they_accept():
    rows = {row.name: row for row in parameter_rows(engine.registered_checks()["drift.columns"])}

    assert rows["alpha"].default == "0.05"
    assert rows["alpha"].accepts == "a number from 0.0001 to 0.5"
    assert rows["method"].accepts.startswith("one of auto, psi, ks")
    assert rows["columns"].accepts == "one of features, target, sensitive, all or a list of names"
