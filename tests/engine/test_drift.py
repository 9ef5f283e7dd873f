import numpy as np
import pandas as pd
import pytest

from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets

COLUMN_PLAN = [
    {"check": "drift.columns", "metric": "effect_size", "comparator": "<=", "threshold": 0.1},
    {
        "check": "drift.columns",
        "metric": "drifted_column_share",
        "comparator": "<=",
        "threshold": 0.3,
    },
]


def column_results(context):
    results = evaluate(context, plan_parse(COLUMN_PLAN)).results
    return {r.subject: r for r in results if r.metric == "effect_size"}, results[-1]


def test_healthy_data_raises_no_drift_over_twenty_seeds():
    drifted = []
    for seed in range(20):
        columns, share = column_results(context_for(datasets(seed)))
        drifted += [(seed, name) for name, r in columns.items() if r.outcome == "fail"]
        assert share.outcome == "pass"
    # Six columns x 20 seeds, BH at 5% and an effect-size bar: at most a stray alarm.
    assert len(drifted) <= 1, drifted


def test_known_shifts_are_detected_on_their_columns_and_nowhere_else():
    """A 0.3-standard-deviation shift of score's mean and channel's shares moving from
    50/30/20% to 30/30/40% (Jensen-Shannon distance 0.21), at 2000 rows."""
    detections = {"score": 0, "channel": 0}
    false_alarms = 0
    for seed in range(20):
        data = datasets(seed, channel_shares=[0.3, 0.3, 0.4])
        data.evaluation["score"] += 0.3
        columns, share = column_results(context_for(data))
        for name in detections:
            detections[name] += columns[name].outcome == "fail"
        false_alarms += sum(r.outcome == "fail" for n, r in columns.items() if n not in detections)
        assert share.observed["drifted_column_count"] >= 1
    assert detections == {"score": 20, "channel": 20}
    assert false_alarms <= 1


def test_the_method_is_chosen_by_column_type_and_stated():
    data = datasets(0)
    for frame in (data.evaluation, data.reference):
        frame["grade"] = np.random.default_rng(len(frame)).integers(1, 4, len(frame))
    columns, _ = column_results(context_for(data))

    assert columns["score"].observed["method"] == "ks+wasserstein"
    assert columns["channel"].observed["method"] == "chi_square+jensen"
    assert columns["grade"].observed["method"] == "chi_square+jensen"  # few distinct numbers
    assert "method ks+wasserstein" in columns["score"].message


def test_a_trivial_shift_at_a_large_sample_is_significant_but_not_an_alarm():
    rng = np.random.default_rng(0)
    rows = 200_000
    reference = pd.DataFrame({"x": rng.normal(size=rows), "y": rng.integers(0, 2, rows)})
    evaluation = pd.DataFrame({"x": rng.normal(0.03, 1, rows), "y": rng.integers(0, 2, rows)})
    evaluation["prediction"] = reference["prediction"] = 0
    context = EvaluationContext(
        evaluation=evaluation,
        reference=reference,
        target="y",
        source=ColumnPredictions("prediction"),
        features=["x"],
    )

    columns, _ = column_results(context)

    assert columns["x"].observed["p_value_adjusted"] < 1e-6
    assert columns["x"].observed["drifted"] is False
    assert columns["x"].outcome == "pass"


def test_p_values_are_corrected_for_the_number_of_columns(healthy):
    columns, _ = column_results(context_for(healthy))

    for result in columns.values():
        assert result.observed["p_value_adjusted"] >= result.observed["p_value"]


def test_prediction_and_label_drift_are_detected():
    plan = plan_parse(
        [
            {"check": "drift.prediction", "comparator": "<=", "threshold": 0.2},
            {"check": "drift.label", "comparator": "<=", "threshold": 0.1},
        ]
    )
    healthy = evaluate(context_for(datasets(3)), plan).results
    data = datasets(3)
    # Keep mostly high-score rows: the positive rate moves from 48% to 65% (JS 0.15).
    shifted = data.evaluation["score"] > 0.3
    data.evaluation = data.evaluation[shifted | (np.arange(len(shifted)) % 10 == 0)]
    data.evaluation = data.evaluation.reset_index(drop=True)
    drifted = evaluate(context_for(data), plan).results

    assert [r.outcome for r in healthy] == ["pass", "pass"]
    assert [r.outcome for r in drifted] == ["fail", "fail"]
    assert drifted[0].subject == "prediction" and drifted[1].subject == "y"


def test_a_joint_shift_that_per_column_tests_miss_is_caught_by_the_domain_classifier():
    rng = np.random.default_rng(5)
    rows = 2000
    a_ref, b_ref = rng.normal(size=rows), rng.normal(size=rows)
    a_new = rng.normal(size=rows)
    b_new = 0.9 * a_new + np.sqrt(1 - 0.81) * rng.normal(size=rows)  # same marginals
    frames = [
        pd.DataFrame({"a": a, "b": b, "y": 0, "prediction": 0})
        for a, b in ((a_new, b_new), (a_ref, b_ref))
    ]
    context = EvaluationContext(
        evaluation=frames[0],
        reference=frames[1],
        target="y",
        source=ColumnPredictions("prediction"),
        task="binary",
    )
    plan = plan_parse(
        [*COLUMN_PLAN[:1], {"check": "drift.multivariate", "comparator": "<=", "threshold": 0.6}]
    )

    results = evaluate(context, plan).results

    assert [r.outcome for r in results[:2]] == ["pass", "pass"]
    assert results[2].outcome == "fail"
    assert results[2].observed["domain_classifier_auc"] > 0.65
    assert set(results[2].evidence["feature_importance"]) == {"a", "b"}


def test_healthy_data_cannot_be_told_apart_by_the_domain_classifier(healthy):
    plan = plan_parse([{"check": "drift.multivariate", "comparator": "<=", "threshold": 0.6}])

    [result] = evaluate(context_for(healthy), plan).results

    assert result.outcome == "pass"
    assert result.observed["domain_classifier_auc"] == pytest.approx(0.5, abs=0.05)
    assert result.sampling["rows_per_side"] == 2000
    # Sets that cannot be told apart have no telling features to name.
    assert result.evidence["feature_importance"] == {}


def test_representativeness_names_absent_categories_and_small_groups():
    data = datasets(4)
    data.evaluation = data.evaluation[data.evaluation["region"] != "west"].head(1000)
    plan = plan_parse(
        [
            {
                "check": "drift.representativeness",
                "metric": "category_coverage",
                "comparator": ">=",
                "threshold": 0.95,
            },
            {
                "check": "drift.representativeness",
                "metric": "smallest_group_rows",
                "params": {"columns": "sensitive"},
                "comparator": ">=",
                "threshold": 30,
            },
        ]
    )

    results = evaluate(context_for(data), plan).results
    by_subject = {(r.metric, r.subject): r for r in results}

    region = by_subject[("category_coverage", "region")]
    assert region.outcome == "fail" and region.evidence["absent_categories"] == ["west"]
    assert by_subject[("category_coverage", "channel")].outcome == "pass"
    assert by_subject[("smallest_group_rows", "region")].observed["smallest_group_rows"] == 0


def test_each_column_stores_its_two_distributions_over_shared_bins():
    data = datasets(0, channel_shares=[0.3, 0.3, 0.4])
    data.evaluation["score"] += 0.5
    columns, _ = column_results(context_for(data))

    score = columns["score"].evidence["distribution"]
    edges = np.array(score["edges"])
    assert len(edges) - 1 == len(score["reference"]) == len(score["evaluation"]) <= 30
    assert np.allclose(np.diff(edges), edges[1] - edges[0], rtol=1e-4)  # equal widths
    assert sum(score["reference"]) == len(data.reference["score"].dropna())
    assert sum(score["evaluation"]) == len(data.evaluation["score"].dropna())
    centres = (edges[:-1] + edges[1:]) / 2
    shift = np.average(centres, weights=score["evaluation"]) - np.average(
        centres, weights=score["reference"]
    )
    assert shift == pytest.approx(0.5, abs=0.15)

    channel = columns["channel"].evidence["distribution"]
    counts = data.evaluation["channel"].astype(str).value_counts()
    shown = dict(zip(channel["categories"], channel["evaluation"], strict=True))
    assert all(shown[name] == count for name, count in counts.items())
    assert channel["other_categories"] == 0
