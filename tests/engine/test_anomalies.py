import json

import numpy as np
import pytest

from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets

PLAN = {  # absolute bounds on the shares (the catalogue judges ANOM-01/02 by their excess)
    "anomaly.input_outliers": ("outlier_share", 0.05),
    "anomaly.confident_errors": ("confident_error_share", 0.02),
    "anomaly.output_range": ("out_of_range_prediction_share", 0.0),
    "anomaly.residual_outliers": ("residual_outlier_share", 0.02),
}


def run(data, check, task="binary", **params):
    metric, threshold = PLAN[check]
    item = {"check": check, "metric": metric, "comparator": "<=", "threshold": threshold,
            "params": params}  # fmt: skip
    [result] = evaluate(context_for(data, task=task), plan_parse([item])).results
    return result


@pytest.mark.parametrize("check", list(PLAN))
def test_healthy_data_raise_no_anomaly_over_twenty_seeds(check):
    task = "regression" if check == "anomaly.residual_outliers" else "binary"
    outcomes = [run(datasets(seed, task=task), check, task=task).outcome for seed in range(20)]
    assert outcomes == ["pass"] * 20


def test_a_block_of_outlying_rows_is_found_and_flagged():
    data = datasets(3)
    block = np.arange(40, 160)  # 6% of the rows, above the 5% bound: a broken feed
    data.evaluation.loc[block, "income"] *= 80
    data.evaluation.loc[block, "score"] += 9

    result = run(data, "anomaly.input_outliers")

    assert result.outcome == "fail"
    assert result.observed["outlier_share"] > 0.06
    assert len(set(result.flagged_rows) & set(block)) >= 95  # the 100 most isolated rows
    assert result.evidence["fitted_on"] == "reference"


def test_input_outliers_need_something_to_compare_with():
    data = datasets(4)
    data.reference = data.train = None

    result = run(data, "anomaly.input_outliers")

    assert result.outcome == "skipped"
    assert "reference or training" in result.message


def test_a_region_of_confidently_wrong_labels_is_found():
    data = datasets(5)
    frame = data.evaluation
    region = (frame["score"] > 1.2) & (frame["probability"] >= 0.9)
    frame.loc[region, "y"] = 1 - frame.loc[region, "y"]

    result = run(data, "anomaly.confident_errors")

    assert result.outcome == "fail"
    assert "significant" in result.message
    flagged_in_region = set(result.flagged_rows) & set(np.flatnonzero(region))
    assert len(flagged_in_region) >= 0.8 * min(region.sum(), 100)  # the 100 most confident


def test_impossible_predictions_are_flagged():
    data = datasets(6, task="regression")
    data.evaluation.loc[[3, 5], "prediction"] = [1e6, np.inf]

    result = run(data, "anomaly.output_range", task="regression")

    assert result.outcome == "fail"
    assert result.flagged_rows == [3, 5]


def test_large_residuals_are_found_on_their_rows():
    data = datasets(7, task="regression")
    rows = np.arange(0, 2000, 25)  # 4% of the labels shifted far away
    data.evaluation.loc[rows, "y"] += 60

    result = run(data, "anomaly.residual_outliers", task="regression")

    assert result.outcome == "fail"
    assert set(rows) <= set(result.flagged_rows)


def test_input_outliers_list_their_most_isolated_rows_on_a_map_of_the_inputs():
    data = datasets(3)
    block = np.arange(40, 160)
    data.evaluation.loc[block, "income"] *= 80
    data.evaluation.loc[block, "score"] += 9

    evidence = run(data, "anomaly.input_outliers").evidence

    shown = evidence["shown_rows"]
    assert len(shown) == 50
    assert [row["row"] for row in shown] == evidence["top_rows"][:50]
    scores = [row["anomaly_score"] for row in shown]
    assert scores == sorted(scores, reverse=True) and scores[-1] > evidence["anomaly_score_cutoff"]
    points = evidence["map"]
    assert len(points["outliers"]["x"]) == len(points["outliers"]["y"]) == 50
    assert len(points["sample"]["x"]) == 200
    # the broken rows sit apart from the bulk on the first component
    bulk = np.median(np.abs(points["sample"]["x"]))
    assert np.median(np.abs(points["outliers"]["x"])) > 3 * bulk
    assert len(json.dumps(evidence)) < 16_000


def test_confident_errors_and_residual_outliers_list_their_rows_with_scores():
    data = datasets(5)
    frame = data.evaluation
    region = (frame["score"] > 1.2) & (frame["probability"] >= 0.9)
    frame.loc[region, "y"] = 1 - frame.loc[region, "y"]

    shown = run(data, "anomaly.confident_errors").evidence["shown_rows"]

    assert 0 < len(shown) <= 50
    assert all(row["confidence"] >= 0.9 and row["predicted"] != row["label"] for row in shown)
    assert [row["confidence"] for row in shown] == sorted(
        (row["confidence"] for row in shown), reverse=True
    )

    data = datasets(7, task="regression")
    rows = np.arange(0, 2000, 25)
    data.evaluation.loc[rows, "y"] += 60
    shown = run(data, "anomaly.residual_outliers", task="regression").evidence["shown_rows"]

    assert len(shown) == 50 and {row["row"] for row in shown} <= set(rows)
    assert all(row["robust_z"] > 3.5 and row["residual"] < -30 for row in shown)
