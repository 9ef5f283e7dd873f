import numpy as np
import pandas as pd
import pytest

from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets, plant


def results(context, *items):
    return evaluate(context, plan_parse(list(items))).results


def by_subject(results_):
    return {r.subject: r for r in results_}


def test_a_retyped_column_is_a_schema_mismatch(healthy):
    healthy.evaluation["age"] = healthy.evaluation["age"].astype(str) + " years"

    [result] = results(
        context_for(healthy), {"check": "data_quality.schema", "comparator": "<=", "threshold": 0}
    )

    assert result.outcome == "fail"
    assert result.evidence["retyped_columns"][0]["column"] == "age"
    assert "'age' retyped" in result.message


def test_a_training_column_the_evaluation_data_lost_is_a_schema_mismatch(healthy):
    healthy.evaluation = healthy.evaluation.drop(columns=["tenure"])

    [result] = results(
        context_for(healthy),
        {"check": "data_quality.schema", "comparator": "<=", "threshold": 0},
    )

    assert result.outcome == "fail"
    assert result.evidence["missing_columns"] == ["tenure"]


def test_unexpected_columns_count_only_when_not_allowed(healthy):
    healthy.evaluation["surprise"] = 1
    item = {"check": "data_quality.schema", "comparator": "<=", "threshold": 0}
    context = context_for(healthy, features=["age", "score"])

    [allowed] = results(context, item)
    [strict] = results(context, {**item, "params": {"allow_extra_columns": False}})

    assert allowed.outcome == "pass"
    assert strict.outcome == "fail" and strict.evidence["unexpected_columns"] == ["surprise"]


def test_missing_labels_and_values_are_reported_per_column_with_their_rows(healthy):
    healthy.evaluation.loc[[3, 7], "y"] = np.nan
    healthy.evaluation.loc[[5], "income"] = np.nan
    found = by_subject(
        results(
            context_for(healthy),
            {
                "check": "data_quality.missing_values",
                "metric": "target_missing_rate",
                "params": {"columns": "target"},
                "comparator": "<=",
                "threshold": 0,
            },
            {
                "check": "data_quality.missing_values",
                "params": {"columns": "features"},
                "comparator": "<=",
                "threshold": 0.05,
            },
        )
    )

    assert found["y"].outcome == "fail" and found["y"].flagged_rows == [3, 7]
    assert found["income"].outcome == "pass" and found["income"].flagged_rows == [5]


def test_constant_and_mixed_type_columns_are_named(healthy):
    frame = healthy.evaluation
    frame["constant"] = "same"
    frame["quantity"] = np.where(
        np.arange(len(frame)) % 10 == 0, "unknown", (np.arange(len(frame)) % 7).astype(str)
    )
    found = results(
        context_for(healthy),
        {"check": "data_quality.constant_columns", "comparator": "<=", "threshold": 0},
        {"check": "data_quality.mixed_types", "comparator": "<=", "threshold": 0},
    )
    constant, mixed = found[0], found[1]

    assert constant.outcome == "fail"
    assert constant.evidence["constant_columns"] == ["constant"]
    assert mixed.outcome == "fail" and mixed.evidence["mixed_type_columns"] == ["quantity"]


def test_values_outside_training_range_and_declared_bounds(healthy):
    frame = healthy.evaluation
    frame.loc[0, "income"] = healthy.train["income"].max() * 10
    frame.loc[1, "score"] = np.inf
    frame.loc[2, "age"] = 130
    found = by_subject(
        results(
            context_for(healthy),
            {
                "check": "data_quality.out_of_range",
                "metric": "impossible_value_share",
                "params": {"bounds": {"age": [0, 120]}},
                "comparator": "<=",
                "threshold": 0,
            },
        )
    )

    assert found["age"].outcome == "fail" and found["age"].flagged_rows == [2]
    assert found["score"].outcome == "fail" and 1 in found["score"].flagged_rows
    assert found["income"].outcome == "pass"
    assert found["income"].observed["out_of_range_share"] == pytest.approx(1 / len(frame))
    assert 0 in found["income"].flagged_rows


def test_unseen_categories_list_their_values():
    data, _ = plant("unseen", datasets(2))

    found = by_subject(
        results(
            context_for(data),
            {"check": "data_quality.unseen_categories", "comparator": "<=", "threshold": 0.01},
        )
    )

    assert found["region"].outcome == "fail"
    assert list(found["region"].evidence["unseen_values"]) == ["atlantis"]
    assert found["channel"].outcome == "pass"


def test_leakage_is_measured_on_every_column_and_the_max_names_its_column():
    data, _ = plant("leak", datasets(2))
    found = results(
        context_for(data),
        {
            "check": "data_quality.target_leakage",
            "metric": "max_feature_predictive_power",
            "comparator": "<=",
            "threshold": 0.9,
        },
        {"check": "data_quality.target_leakage", "comparator": "<=", "threshold": 0.9},
    )

    assert found[0].subject == "status_code" and found[0].outcome == "fail"
    powers = {r.subject: r.observed["predictive_power"] for r in found[1:]}
    assert powers["status_code"] > 0.9
    assert max(v for k, v in powers.items() if k != "status_code") < 0.6


def test_leakage_on_a_regression_target():
    data = datasets(3, task="regression")
    data.evaluation["recorded_value"] = data.evaluation["y"] + np.random.default_rng(0).normal(
        0, 0.1, len(data.evaluation)
    )
    context = EvaluationContext(
        evaluation=data.evaluation,
        target="y",
        task="regression",
        source=ColumnPredictions("prediction"),
    )

    found = by_subject(
        results(
            context, {"check": "data_quality.target_leakage", "comparator": "<=", "threshold": 0.9}
        )
    )

    assert found["recorded_value"].outcome == "fail"
    assert found["score"].outcome == "pass"


def test_overlap_matches_values_across_file_types():
    data = datasets(2)
    data.evaluation.iloc[:50] = data.train.iloc[:50].to_numpy()
    data.evaluation = data.evaluation.astype({"age": float, "tenure": float})  # as a gappy CSV
    data.train["region"] = data.train["region"].astype("category")  # as Parquet keeps it

    [result] = results(
        context_for(data),
        {"check": "data_quality.train_eval_overlap", "comparator": "<=", "threshold": 0.01},
    )

    assert result.observed["overlap_rows"] == 50
    assert result.flagged_rows == list(range(50))


def test_duplicates_and_conflicting_labels_flag_their_rows():
    frame = pd.DataFrame(
        {
            "a": [1, 1, 2, 2, 3],
            "b": ["x", "x", "y", "y", "z"],
            "y": [0, 0, 0, 1, 1],
            "prediction": [0, 0, 0, 0, 1],
        }
    )
    context = EvaluationContext(
        evaluation=frame, target="y", source=ColumnPredictions("prediction")
    )
    duplicates, conflicts = results(
        context,
        {"check": "data_quality.duplicates", "comparator": "<=", "threshold": 0},
        {"check": "data_quality.label_conflicts", "comparator": "<=", "threshold": 0},
    )

    assert duplicates.flagged_rows == [1]
    assert duplicates.observed["duplicate_row_share"] == pytest.approx(0.2)
    assert conflicts.flagged_rows == [2, 3]
    assert conflicts.observed["conflicting_label_share"] == pytest.approx(0.4)


def test_class_imbalance_names_the_rarest_class(healthy):
    healthy.evaluation["y"] = np.where(np.arange(len(healthy.evaluation)) < 10, 1, 0)

    [result] = results(
        context_for(healthy),
        {"check": "data_quality.class_imbalance", "comparator": ">=", "threshold": 0.01},
    )

    assert result.outcome == "fail" and result.subject == "y"
    assert result.observed["minority_class_share"] == pytest.approx(10 / len(healthy.evaluation))


def test_small_samples_of_one_population_are_not_out_of_range_by_chance():
    """A few values of a small evaluation set fall outside a small training set's range by
    chance (each with probability 2 / (n + 1)); over 20 seeds of 30 heavy-tailed columns,
    the binomial gate (corrected over columns) lets at most one seed fail."""
    item = {"check": "data_quality.out_of_range", "metric": "out_of_range_share",
            "comparator": "<=", "threshold": 0.01}  # fmt: skip
    failing = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        train = pd.DataFrame(rng.standard_t(3, (280, 30)), columns=[f"c{i}" for i in range(30)])
        evaluation = pd.DataFrame(rng.standard_t(3, (140, 30)), columns=train.columns)
        train["y"], evaluation["y"] = rng.integers(0, 2, 280), rng.integers(0, 2, 140)
        evaluation["prediction"] = evaluation["y"]
        context = EvaluationContext(
            evaluation=evaluation, train=train, target="y", source=ColumnPredictions("prediction")
        )
        outcomes = results(context, item)
        failing += [(seed, r.subject) for r in outcomes if r.outcome == "fail"]
    assert len({seed for seed, _ in failing}) <= 1, failing


def test_a_real_widening_of_the_range_is_still_found():
    rng = np.random.default_rng(3)
    train = pd.DataFrame({"x": rng.normal(size=500), "y": rng.integers(0, 2, 500)})
    evaluation = pd.DataFrame({"x": rng.normal(size=300), "y": rng.integers(0, 2, 300)})
    evaluation.loc[:14, "x"] = rng.uniform(5, 9, 15)  # 5% of the rows far outside
    evaluation["prediction"] = evaluation["y"]
    context = EvaluationContext(
        evaluation=evaluation, train=train, target="y", source=ColumnPredictions("prediction")
    )

    [result] = results(
        context,
        {"check": "data_quality.out_of_range", "metric": "out_of_range_share",
         "comparator": "<=", "threshold": 0.01},
    )  # fmt: skip

    assert result.outcome == "fail" and "significant" in result.message
    assert set(range(15)) <= set(result.flagged_rows)
