import numpy as np
import pytest

from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.registry import REGISTRY, Check, CheckDocs, Measurement, register
from apps.evaluations.engine.results import RESULT_KEYS
from tests.engine.conftest import context_for


class ExplodingCheck(Check):
    key = "testing.explodes"
    name = "A check that explodes"
    category = "data_quality"
    reads = frozenset()
    metrics = {"value": "nothing"}
    default_metric = "value"
    docs = CheckDocs("a", "b", "c", "d")

    def run(self, context, params):
        raise ZeroDivisionError("division by zero")


class NoisyCheck(Check):
    """Reports a value over its bound that its own test calls noise."""

    key = "testing.noisy"
    name = "A noisy check"
    category = "drift"
    reads = frozenset()
    metrics = {"value": "a value"}
    default_metric = "value"
    docs = CheckDocs("a", "b", "c", "d")

    def run(self, context, params):
        return [
            Measurement("a", observed={"value": 0.3}, significant=False, test="a test, p = 0.4"),
            Measurement("b", observed={"value": 0.3}, significant=True, test="a test, p = 0.01"),
            Measurement(
                "c",
                observed={"value": 0.19},
                ci={"value": {"low": 0.1, "high": 0.25, "level": 0.95}},
            ),
        ]


def setup_module():
    for check in (ExplodingCheck, NoisyCheck):
        if check.key not in REGISTRY:
            register(check)


def teardown_module():
    for check in (ExplodingCheck, NoisyCheck):
        REGISTRY.pop(check.key, None)


def test_every_result_has_exactly_the_documented_keys(healthy):
    plan = plan_parse([{"check": "drift.columns", "comparator": "<=", "threshold": 0.1}])

    report = evaluate(context_for(healthy), plan)

    assert report.results
    for result in report.results:
        assert tuple(result.to_dict()) == RESULT_KEYS


def test_a_check_that_raises_becomes_an_error_and_the_others_still_run(healthy):
    plan = plan_parse(
        [
            {"check": "testing.explodes", "comparator": "<=", "threshold": 1},
            {"check": "data_quality.duplicates", "comparator": "<=", "threshold": 0.01},
        ]
    )

    report = evaluate(context_for(healthy), plan)

    assert [r.outcome for r in report.results] == ["error", "pass"]
    assert "ZeroDivisionError: division by zero" in report.results[0].message


def test_a_difference_within_noise_passes_and_a_significant_one_fails(healthy):
    plan = plan_parse(
        [{"check": "testing.noisy", "comparator": "<=", "threshold": 0.2, "blocking": True}]
    )

    report = evaluate(context_for(healthy), plan)
    outcome = {r.subject: r for r in report.results}

    assert (
        outcome["a"].outcome == "pass" and "not statistically significant" in outcome["a"].message
    )
    assert outcome["b"].outcome == "fail" and "p = 0.01" in outcome["b"].message
    assert outcome["c"].outcome == "pass" and "straddles the threshold" in outcome["c"].message
    assert report.summary()["verdict"] == "fail"
    assert report.summary()["blocking_failures"] == 1


def test_a_check_that_does_not_apply_to_the_task_is_skipped(healthy):
    plan = plan_parse([{"check": "performance.regression", "comparator": "<=", "threshold": 1}])

    [result] = evaluate(context_for(healthy), plan).results

    assert result.outcome == "skipped"
    assert "does not apply to binary models" in result.message


def test_checks_sharing_parameters_are_run_once(healthy, monkeypatch):
    calls = []
    check = REGISTRY["data_quality.duplicates"]
    original = check.run
    monkeypatch.setattr(check, "run", lambda c, p: calls.append(1) or original(c, p))
    plan = plan_parse([{"check": "data_quality.duplicates"}, {"check": "data_quality.duplicates"}])

    evaluate(context_for(healthy), plan)

    assert len(calls) == 1


def test_results_are_plain_json(healthy):
    import json

    plan = plan_parse(
        [
            {"check": "performance.classification", "threshold": None},
            {"check": "calibration.classification", "threshold": None},
        ]
    )

    for result in evaluate(context_for(healthy), plan).results:
        text = json.dumps(result.to_dict(), allow_nan=False)
        assert "NaN" not in text
    assert np.isfinite(evaluate(context_for(healthy), plan).results[0].value)


def test_checks_run_side_by_side_give_the_results_of_one_at_a_time(healthy):
    from apps.evaluations.engine.context import EngineSettings
    from apps.evaluations.engine.defaults import default_plan

    plan = default_plan("binary")
    alone = evaluate(context_for(healthy), plan).results
    side_by_side = evaluate(
        context_for(healthy, settings=EngineSettings(threads=2, workers=2)), plan
    ).results

    assert [(r.check, r.subject, r.outcome) for r in side_by_side] == [
        (r.check, r.subject, r.outcome) for r in alone
    ]
    assert [r.observed for r in side_by_side] == [r.observed for r in alone]


def test_a_check_raising_in_a_thread_is_an_error_result_and_the_others_still_run(healthy):
    from apps.evaluations.engine.context import EngineSettings

    plan = plan_parse(
        [
            {"check": "testing.explodes", "comparator": "<=", "threshold": 1},
            {"check": "data_quality.duplicates", "comparator": "<=", "threshold": 0.01},
            {"check": "drift.columns", "comparator": "<=", "threshold": 0.1},
        ]
    )
    context = context_for(healthy, settings=EngineSettings(threads=2, workers=2))

    report = evaluate(context, plan)

    assert [r.outcome for r in report.results[:2]] == ["error", "pass"]
    assert {r.check for r in report.results[2:]} == {"drift.columns"}


@pytest.mark.parametrize("workers", [1, 2])
def test_column_drift_sorts_each_column_once_for_the_checks_after_it(monkeypatch, workers):
    import apps.evaluations.engine.context as context_module
    from apps.evaluations.engine.context import EngineSettings
    from tests.engine.synthetic import datasets

    data = datasets(0)
    data.reference = data.reference.head(1500)  # a column's rows then tell its dataset

    sorted_columns = []
    original = context_module.sorted_numbers
    monkeypatch.setattr(
        context_module,
        "sorted_numbers",
        lambda values: sorted_columns.append((values.name, len(values))) or original(values),
    )
    plan = plan_parse(
        [
            {"check": "data_quality.constant_columns", "metric": "dominant_value_share"},
            {"check": "drift.columns", "comparator": "<=", "threshold": 0.1},
        ]
    )

    settings = EngineSettings(threads=workers, workers=workers)
    results = evaluate(context_for(data, settings=settings), plan).results

    assert {r.check for r in results} == {"data_quality.constant_columns", "drift.columns"}
    assert sorted_columns  # drift sorted the numeric columns ...
    assert len(sorted_columns) == len(set(sorted_columns))  # ... and nothing sorted one again
