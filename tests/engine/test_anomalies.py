import numpy as np
import pytest

from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets

PLAN = {  # the catalogue's ANOM-01..04 bounds
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
