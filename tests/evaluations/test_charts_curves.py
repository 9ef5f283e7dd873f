"""The run page's pictures and tables drawn from real engine results: a binary model on
synthetic data with drift, a weak slice and outlying rows planted."""

import json

import numpy as np
import pytest

from apps.evaluations.charts import distribution_choices, run_figures
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.models import CheckResult
from apps.evaluations.result_tables import anomaly_rows, weak_segment_rows
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets

PLAN = [
    {"check": "performance.classification", "metric": "roc_auc", "comparator": ">=",
     "threshold": 0.7, "params": {"n_bootstrap": 0}},
    {"check": "calibration.classification", "metric": "expected_calibration_error",
     "comparator": "<=", "threshold": 0.05},
    {"check": "drift.columns", "metric": "effect_size", "comparator": "<=", "threshold": 0.1},
    {"check": "weak_segments.discovery", "metric": "worst_slice_metric_gap",
     "comparator": "<=", "threshold": 0.1},
    {"check": "anomaly.input_outliers", "metric": "outlier_share", "comparator": "<=",
     "threshold": 0.05},
    {"check": "anomaly.confident_errors", "metric": "confident_error_share",
     "comparator": "<=", "threshold": 0.02},
]  # fmt: skip


def stored(result) -> CheckResult:
    """An engine result as the run stores it (unsaved: the charts read only its fields)."""
    data = result.to_dict()
    return CheckResult(
        check_key=data["check"], category=data["category"], subject=data["subject"] or "",
        outcome=data["outcome"], observed=data["observed"], metric=result.metric or "",
        threshold=data["threshold"], evidence=data["evidence"] or {},
    )  # fmt: skip


def synthetic_run_results() -> list[CheckResult]:
    """The plan's results, unsaved, on data with a weak slice, a drifted feature and a
    block of broken rows."""
    data = datasets(9)
    frame = data.evaluation
    weak = (frame["region"] == "east") & (frame["channel"] == "phone")
    flip = weak & (np.random.default_rng(0).random(len(frame)) < 0.6)
    frame.loc[flip, "prediction"] = 1 - frame.loc[flip, "prediction"]
    frame.loc[flip, "probability"] = 1 - frame.loc[flip, "probability"]
    frame["score"] += 0.4  # drift of one feature
    frame.loc[40:119, "income"] *= 80  # a broken feed
    frame.loc[40:119, "age"] += 90
    return [stored(result) for result in evaluate(context_for(data), plan_parse(PLAN)).results]


@pytest.fixture(scope="module")
def results() -> list[CheckResult]:
    return synthetic_run_results()


def evidence_of(results, check_key, subject=""):
    return next(r for r in results if r.check_key == check_key and r.subject == subject).evidence


def test_the_roc_curve_draws_the_stored_points_against_the_chance_diagonal(results):
    [curve] = evidence_of(results, "performance.classification")["roc_curves"]

    figure = run_figures(results)["roc"]

    [trace] = figure["data"]
    assert trace["x"] == curve["fpr"] and trace["y"] == curve["tpr"]
    assert trace["name"] == f"AUC {curve['auc']:.3f}" and 0.7 < curve["auc"] < 1
    assert figure["layout"]["title"]["text"] == f"ROC curve of class 1 (AUC {curve['auc']:.3f})"
    assert figure["layout"]["shapes"][0] | {"line": None} == {
        "type": "line",
        "x0": 0,
        "y0": 0,
        "x1": 1,
        "y1": 1,
        "line": None,
    }
    assert figure["layout"]["xaxis"]["title"]["text"] == "false positive rate"


def test_the_precision_recall_curve_shows_the_base_rate_a_model_without_skill_reaches(results):
    [curve] = evidence_of(results, "performance.classification")["pr_curves"]

    figure = run_figures(results)["precision_recall"]

    assert (
        figure["data"][0]["x"] == curve["recall"] and figure["data"][0]["y"] == curve["precision"]
    )
    [base] = figure["layout"]["shapes"]
    assert base["y0"] == base["y1"] == pytest.approx(curve["base_rate"])
    assert 0.2 < curve["base_rate"] < 0.8


def test_the_calibration_curve_draws_the_filled_bins_with_their_row_counts(results):
    curve = evidence_of(results, "calibration.classification")["reliability_curve"]
    filled = [count > 0 for count in curve["count"]]

    figure = run_figures(results)["calibration"]

    [trace] = figure["data"]
    assert trace["x"] == [
        p for p, kept in zip(curve["mean_predicted"], filled, strict=True) if kept
    ]
    assert trace["y"] == [
        f for f, kept in zip(curve["observed_frequency"], filled, strict=True) if kept
    ]
    assert trace["text"] == [f"{count} rows" for count in curve["count"] if count]
    assert all(0 <= value <= 1 for value in trace["x"] + trace["y"])
    assert figure["layout"]["xaxis"]["title"]["text"] == "mean probability of '1'"


def test_each_drift_tested_feature_has_a_distribution_the_select_lists(results):
    figures = run_figures(results)
    choices = distribution_choices(figures)

    features = {r.subject for r in results if r.check_key == "drift.columns" and r.subject}
    assert {choice["feature"] for choice in choices} == features
    outcomes = {r.subject: r.outcome for r in results if r.check_key == "drift.columns"}
    shown = [outcomes[choice["feature"]] for choice in choices]
    assert outcomes["score"] == "fail" and shown == sorted(shown)  # drifted features first
    [choice] = [choice for choice in choices if choice["feature"] == "score"]
    score = figures[choice["figure"]]
    reference, current = score["data"]
    assert (reference["name"], current["name"]) == ("reference", "current")
    assert sum(reference["y"]) == pytest.approx(1) and sum(current["y"]) == pytest.approx(1)
    centres = np.array(current["x"])
    assert np.average(centres, weights=current["y"]) - np.average(
        centres, weights=reference["y"]
    ) == pytest.approx(0.4, abs=0.15)
    assert score["layout"]["title"]["text"] == choice["title"]
    channel = figures[next(c["figure"] for c in choices if c["feature"] == "channel")]
    assert set(channel["data"][0]["x"]) == {"web", "shop", "phone"}
    assert channel["layout"]["barmode"] == "group"


def test_the_outlier_map_marks_the_most_isolated_rows_over_a_sample(results):
    evidence = evidence_of(results, "anomaly.input_outliers")

    sample, outliers = run_figures(results)["anomalies"]["data"]

    assert len(sample["x"]) == 200 and len(outliers["x"]) == 50
    assert [row for row, _ in outliers["customdata"]] == [
        shown["row"] for shown in evidence["shown_rows"]
    ]
    in_block = {row for row, _ in outliers["customdata"]} & set(range(40, 120))
    assert len(in_block) >= 45, in_block  # the broken feed's rows are the most isolated


def test_the_weak_segment_table_lists_the_planted_slice_first(results):
    rows = weak_segment_rows(results)

    assert rows[0]["slice"] == "region = east & channel = phone"
    assert rows[0]["weak"] and rows[0]["p_value"] < 0.05 and rows[0]["gap"] > 0.1
    assert rows[0]["gap_kind"] == "its error rate minus the rate the model's confidence promises"
    assert [row["gap"] for row in rows] == sorted((row["gap"] for row in rows), reverse=True)
    own = {r.subject for r in results if r.check_key == "weak_segments.discovery" and r.subject}
    assert rows[0]["own_result"] and "region = east & channel = phone" in own
    assert {row["slice"] for row in rows if row["own_result"]} == own


def test_the_anomaly_table_lists_each_checks_rows_with_their_score(results):
    rows = anomaly_rows(results)

    outliers = [row for row in rows if row["check_key"] == "anomaly.input_outliers"]
    assert len(outliers) == 10 and outliers[0]["score_name"] == "anomaly score"
    shown = evidence_of(results, "anomaly.input_outliers")["shown_rows"]
    assert [row["row"] for row in outliers] == [row["row"] for row in shown[:10]]
    assert outliers[0]["score"] == shown[0]["anomaly_score"]
    confident = [row for row in rows if row["check_key"] == "anomaly.confident_errors"]
    assert confident and all(row["score"] >= 0.9 for row in confident)
    assert confident[0]["details"].startswith("predicted ")


def test_the_pictures_evidence_stays_within_a_few_kilobytes_per_result(results):
    sizes = {r.check_key: len(json.dumps(r.evidence)) for r in results}

    assert max(sizes.values()) < 20_000, sizes


def test_a_multiclass_model_gets_one_named_curve_per_class():
    curves = [{"class": name, "fpr": [0, 0.2, 1], "tpr": [0, 0.8, 1], "auc": 0.9}
              for name in ("barolo", "barbera", "grignolino")]  # fmt: skip
    result = CheckResult(check_key="performance.classification", category="performance",
                         evidence={"positive_label": None, "roc_curves": curves})  # fmt: skip

    figure = run_figures([result])["roc"]

    assert [trace["name"] for trace in figure["data"]] == [
        "barolo (AUC 0.900)", "barbera (AUC 0.900)", "grignolino (AUC 0.900)"
    ]  # fmt: skip
    assert figure["layout"]["title"]["text"] == "ROC curves, one class against the rest"


def test_drift_bars_show_the_metric_the_plan_judged_when_it_is_not_the_effect_size():
    columns = [
        CheckResult(check_key="drift.columns", category="drift", subject=name, outcome=outcome,
                    metric="psi", threshold=0.2, observed={"psi": psi, "effect_size": 0.01})
        for name, psi, outcome in (("age", 0.05, "pass"), ("income", 0.31, "fail"))
    ]  # fmt: skip

    figure = run_figures(columns)["drift"]

    assert figure["data"][0]["x"] == ["income", "age"]
    assert figure["data"][0]["y"] == [0.31, 0.05]
    assert figure["layout"]["title"]["text"] == "Drift per feature (PSI)"
    assert figure["layout"]["shapes"][0]["y0"] == 0.2
