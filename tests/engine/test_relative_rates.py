"""Rates that healthy data also have are judged by their excess over what healthy data
give, with the catalogue's default criteria (issue 19, points 2 and 3)."""

import numpy as np
import pandas as pd
import pytest

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.defaults import from_catalogue
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets


def judged(code, evaluation, reference=None, features=None, **params):
    """The results of one catalogue criterion on frames without a model."""
    item = from_catalogue(code, params=params or None)
    context = EvaluationContext(
        evaluation=evaluation,
        reference=reference,
        train=None,
        target="y",
        features=features or [c for c in evaluation.columns if c != "y"],
        task="binary",
    )
    return evaluate(context, plan_parse([item])).results


def gaussian_rows(rows, outlier_share, seed):
    """Four standard normal features; `outlier_share` of the rows spread four times wider,
    the kind of outlier healthy data hold too. Returns the frame and the outlying rows."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0, 1, (rows, 4))
    outlying = rng.choice(rows, round(outlier_share * rows), replace=False)
    values[outlying] += rng.normal(0, 4, (len(outlying), 4))
    frame = pd.DataFrame(values, columns=["a", "b", "c", "d"])
    return frame.assign(y=rng.integers(0, 2, rows)), outlying


# Reference 40,000 rows (20,000 fit the forest, 20,000 set the cutoff), evaluation 25,000:
# a 1% excess is then some 4 standard errors, so the test has power.
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_three_percent_of_outliers_where_healthy_data_hold_two_is_found(seed):
    reference, _ = gaussian_rows(40_000, 0.02, 100 + seed)
    evaluation, outlying = gaussian_rows(25_000, 0.03, 200 + seed)

    [result] = judged("ANOM-01", evaluation, reference)

    assert (result.check, result.subject, result.outcome) == (
        "anomaly.input_outliers",
        None,
        "fail",
    )
    assert result.observed["outlier_share"] < 0.05  # the old absolute bound missed it
    assert result.observed["excess_outlier_share"] > 0.0025
    assert result.evidence["p_value"] < 0.01
    assert np.isin(result.flagged_rows, outlying).mean() > 0.9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_percent_of_outliers_like_the_reference_pass(seed):
    reference, _ = gaussian_rows(40_000, 0.02, 100 + seed)
    evaluation, _ = gaussian_rows(25_000, 0.02, 300 + seed)

    [result] = judged("ANOM-01", evaluation, reference)

    assert result.outcome == "pass", result.message
    assert abs(result.observed["excess_outlier_share"]) < 0.0025


def copied_with_other_labels(frame, copies, seed):
    """`copies` rows replaced by copies of other rows with the label flipped."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    targets, sources = np.split(rng.choice(len(frame), 2 * copies, replace=False), 2)
    frame.iloc[targets] = frame.iloc[sources].to_numpy()
    frame.loc[frame.index[targets], "y"] = 1 - frame["y"].iloc[targets].to_numpy()
    return frame.astype(frame.dtypes.to_dict())


FEATURES = ["age", "income", "score", "tenure", "region", "channel"]


def test_half_a_percent_of_conflicting_labels_among_continuous_features_is_found():
    evaluation = datasets(2).evaluation[[*FEATURES, "y"]]  # 2,000 rows; income, score continuous
    planted = copied_with_other_labels(evaluation, 5, seed=0)  # 10 rows of 2,000 conflict

    [result] = judged("DQ-10", planted)

    assert result.outcome == "fail", result.message
    assert result.observed["conflicting_label_share"] == pytest.approx(0.005)
    assert result.observed["excess_conflicting_label_share"] == pytest.approx(0.005)
    assert result.evidence["continuous_features"] == ["income", "score"]
    assert len(result.flagged_rows) == 10


def test_fewer_conflicting_groups_than_the_minimum_count_pass():
    evaluation = datasets(2).evaluation[[*FEATURES, "y"]]
    planted = copied_with_other_labels(evaluation, 2, seed=0)

    [result] = judged("DQ-10", planted)

    assert result.outcome == "pass"
    assert result.observed["conflicting_groups"] == 2
    assert "3 or more count" in result.message


def discrete_rows(rows, seed, base=0.0):
    """Every feature discrete, the label drawn from a model of them: honest conflicts."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east", "west"], rows, p=[0.4, 0.3, 0.2, 0.1]),
            "channel": rng.choice(["web", "shop", "phone"], rows, p=[0.5, 0.3, 0.2]),
            "tenure": rng.poisson(3, rows),
            "age_band": rng.integers(0, 5, rows),
        }
    )
    signal = base + 0.3 * (frame["tenure"] - 3) + 0.4 * (frame["region"] == "north")
    frame["y"] = (rng.random(rows) < 1 / (1 + np.exp(-signal))).astype(int)
    return frame


def test_no_conflict_is_flagged_on_healthy_all_discrete_data_over_ten_seeds():
    for seed in range(10):
        [result] = judged("DQ-10", discrete_rows(5_000, seed))

        assert result.outcome == "pass", (seed, result.message)
        assert result.observed["conflicting_label_share"] > 0.5  # an absolute bound would fail
        assert result.evidence["continuous_features"] == []
        assert result.observed["excess_conflicting_label_share"] <= 0


def test_copies_with_flipped_labels_beyond_chance_are_found_among_discrete_features():
    # Rare positives: chance makes a pair conflict about 1 time in 6, copies always do.
    healthy = discrete_rows(20_000, 7, base=-4.0)
    healthy["code"] = np.random.default_rng(7).integers(0, 10_000, len(healthy))  # discrete
    planted = copied_with_other_labels(healthy, 300, seed=1)

    [clean] = judged("DQ-10", healthy)
    [result] = judged("DQ-10", planted)

    assert clean.outcome == "pass", clean.message
    assert result.outcome == "fail", result.message
    assert result.evidence["p_value"] < 0.01


def test_duplicates_that_the_reference_holds_too_pass_and_more_fail():
    def rows(seed):  # discrete features and a code of 50 values: some honest repeats
        frame = discrete_rows(3_000, seed)
        return frame.assign(code=np.random.default_rng(seed).integers(0, 50, len(frame)))

    reference, evaluation = rows(11), rows(12)
    copies = np.random.default_rng(5).choice(len(evaluation), 150, replace=False)
    planted = pd.concat([evaluation, evaluation.iloc[copies]], ignore_index=True)

    [healthy] = judged("DQ-04", evaluation, reference)
    [found] = judged("DQ-04", planted, reference)
    [alone] = judged("DQ-04", evaluation)

    assert healthy.observed["duplicate_row_share"] > 0.01  # the old absolute bound failed it
    assert healthy.outcome == "pass", healthy.message
    assert found.outcome == "fail", found.message
    assert alone.evidence["compared_with"] is None  # no reference: an assumed healthy 1%
    assert "assumed healthy share of 1.00%" in alone.message


def test_a_column_as_empty_as_in_the_reference_passes_and_an_emptier_one_is_named():
    reference, evaluation = (datasets(4).reference, datasets(4).evaluation)
    rng = np.random.default_rng(3)
    reference.loc[rng.random(len(reference)) < 0.10, "income"] = np.nan
    evaluation.loc[rng.random(len(evaluation)) < 0.10, "income"] = np.nan
    evaluation.loc[rng.random(len(evaluation)) < 0.06, "score"] = np.nan

    results = {
        r.subject: r for r in judged("DQ-02", evaluation, reference, FEATURES, columns="features")
    }

    assert results["income"].observed["missing_rate"] > 0.05  # the old absolute bound failed it
    assert results["income"].outcome == "pass", results["income"].message
    assert results["score"].outcome == "fail", results["score"].message
    assert [s for s, r in results.items() if r.outcome == "fail"] == ["score"]


def test_a_significant_but_negligible_excess_on_a_large_dataset_passes():
    rng = np.random.default_rng(8)
    rows = 400_000
    reference = pd.DataFrame({"income": rng.normal(size=rows), "y": rng.integers(0, 2, rows)})
    evaluation = reference.sample(frac=1.0, random_state=8, ignore_index=True)
    reference.loc[rng.random(rows) < 0.020, "income"] = np.nan
    evaluation.loc[rng.random(rows) < 0.024, "income"] = np.nan

    [result] = judged("DQ-02", evaluation, reference, ["income"], columns="features")

    assert result.evidence["p_value"] < 1e-6  # far beyond noise, but 0.4 points
    assert result.outcome == "pass", result.message


def test_confident_errors_beyond_what_the_confidence_allows_are_found():
    data = datasets(5, rows=5_000)
    frame = data.evaluation
    confident_right = np.flatnonzero(
        (np.maximum(frame["probability"], 1 - frame["probability"]) >= 0.9)
        & (frame["prediction"] == frame["y"])
    )
    wrong = np.random.default_rng(5).choice(confident_right, 50, replace=False)  # 1% of rows
    frame.loc[frame.index[wrong], "y"] = 1 - frame["y"].iloc[wrong].to_numpy()

    [clean] = evaluate(context_for(datasets(5, rows=5_000)), plan_parse([ANOM_02])).results
    [result] = evaluate(context_for(data), plan_parse([ANOM_02])).results

    assert clean.outcome == "pass", clean.message
    assert (result.check, result.subject, result.outcome) == (
        "anomaly.confident_errors",
        None,
        "fail",
    )
    assert result.observed["excess_confident_error_share"] > 0.005
    assert len(set(result.flagged_rows) & set(wrong)) >= 40


ANOM_02 = from_catalogue("ANOM-02")


def test_values_out_of_the_training_range_below_one_percent_are_found_on_their_column():
    data = datasets(1)
    rows = np.random.default_rng(6).choice(len(data.evaluation), 16, replace=False)  # 0.8%
    data.evaluation.loc[data.evaluation.index[rows], "income"] *= 100

    results = evaluate(context_for(data), plan_parse([from_catalogue("DQ-07")])).results

    failed = {r.subject for r in results if r.outcome == "fail"}
    [income] = [r for r in results if r.subject == "income"]
    assert failed == {"income"}
    assert income.observed["out_of_range_share"] < 0.01  # the old bound let it pass
    assert set(rows) <= set(income.flagged_rows)
