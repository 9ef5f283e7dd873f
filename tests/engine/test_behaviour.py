from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.estimator_source import EstimatorSource, fitted
from tests.engine.synthetic import datasets, with_fair_group


def behaviour(data, estimator, threshold=0.01, **params):
    items = [
        {"check": "robustness.behaviour", "metric": metric, "comparator": "<=",
         "threshold": threshold, "params": {"max_rows": 500, **params}}
        for metric in ("monotonicity_violation_rate", "invariance_change_rate")
    ]  # fmt: skip
    context = EvaluationContext(
        evaluation=data.evaluation, target="y", source=EstimatorSource(estimator)
    )
    return {(r.metric, r.subject): r for r in evaluate(context, plan_parse(items)).results}


def test_a_monotone_relation_holds_and_its_opposite_is_caught():
    data = datasets(1, rows=800)
    model = fitted(data.train)  # the score raises the chance of y = 1

    results = behaviour(data, model, increasing=["score"], decreasing=["age"])

    assert results[("monotonicity_violation_rate", "score")].outcome == "pass"
    assert (
        results[("monotonicity_violation_rate", "score")].observed["monotonicity_violation_rate"]
        == 0.0
    )
    wrong = results[("monotonicity_violation_rate", "age")]  # age raises it too
    assert wrong.outcome == "fail"
    assert wrong.observed["monotonicity_violation_rate"] > 0.9
    assert len(wrong.flagged_rows) > 400


def test_an_ignored_attribute_is_invariant_and_a_used_one_is_not():
    data = with_fair_group(datasets(2, rows=800))
    model = fitted(data.train)  # reads region, never sex

    results = behaviour(data, model, invariant=["sex", "region"])

    assert results[("invariance_change_rate", "sex")].observed["invariance_change_rate"] == 0.0
    assert results[("invariance_change_rate", "sex")].outcome == "pass"
    region = results[("invariance_change_rate", "region")]
    assert region.outcome == "fail" and region.observed["invariance_change_rate"] > 0.05


def test_nothing_named_nothing_tested():
    data = datasets(3, rows=300)

    results = behaviour(data, fitted(data.train))

    assert {r.outcome for r in results.values()} == {"skipped"}
    assert "Name the features" in next(iter(results.values())).message
