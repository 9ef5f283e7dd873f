"""Performance checks against scikit-learn on its bundled datasets."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets as sk_datasets
from sklearn import metrics as sk
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from apps.evaluations.engine.checks.performance import roc_pr_curves
from apps.evaluations.engine.checks.performance_curves import binary_areas
from apps.evaluations.engine.context import ColumnPredictions, EvaluationContext
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.engine.registry import get_check
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets


def bundled(loader, estimator, *, labels=None):
    """Train/evaluation frames of a bundled dataset with the fitted model's outputs."""
    data = loader(as_frame=True)
    features, target = data.data, data.target
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=0.5, random_state=0
    )
    model = make_pipeline(StandardScaler(), estimator).fit(x_train, y_train)
    frames = []
    for x, y in ((x_train, y_train), (x_test, y_test)):
        frame = x.copy()
        frame["y"] = y.to_numpy() if labels is None else labels[y.to_numpy()]
        prediction = model.predict(x)
        frame["prediction"] = prediction if labels is None else labels[prediction]
        if hasattr(model, "predict_proba"):
            for k, column in enumerate(model.predict_proba(x).T):
                frame[f"p{k}"] = column
        frames.append(frame.reset_index(drop=True))
    return frames


def run(check_key, context, **params):
    check = get_check(check_key)
    return check.run(context, check.params_with_defaults(params))


def test_binary_metrics_equal_scikit_learns_on_breast_cancer():
    train, test = bundled(sk_datasets.load_breast_cancer, LogisticRegression(max_iter=5000))
    context = EvaluationContext(
        evaluation=test, train=train, target="y", source=ColumnPredictions("prediction", ["p1"])
    )
    [measurement] = run("performance.classification", context, n_bootstrap=300)
    observed, y, p, score = measurement.observed, test["y"], test["prediction"], test["p1"]

    assert context.task == "binary"
    expected = {
        "accuracy": sk.accuracy_score(y, p),
        "balanced_accuracy": sk.balanced_accuracy_score(y, p),
        "precision": sk.precision_score(y, p),
        "recall": sk.recall_score(y, p),
        "f1": sk.f1_score(y, p),
        "f1_macro": sk.f1_score(y, p, average="macro"),
        "f1_weighted": sk.f1_score(y, p, average="weighted"),
        "roc_auc": sk.roc_auc_score(y, score),
        "pr_auc": sk.average_precision_score(y, score),
        "log_loss": sk.log_loss(y, np.column_stack([1 - score, score])),
        "mcc": sk.matthews_corrcoef(y, p),
    }
    for name, value in expected.items():
        assert observed[name] == pytest.approx(value), name
        interval = measurement.ci[name]
        assert interval["low"] <= observed[name] <= interval["high"], name
    assert measurement.evidence["confusion_matrix"] == sk.confusion_matrix(y, p).tolist()
    assert observed["balanced_accuracy_ci_width"] == pytest.approx(
        measurement.ci["balanced_accuracy"]["high"] - measurement.ci["balanced_accuracy"]["low"]
    )


def test_multiclass_metrics_equal_scikit_learns_on_wine_with_string_labels():
    labels = np.array(["barolo", "grignolino", "barbera"])
    train, test = bundled(sk_datasets.load_wine, LogisticRegression(max_iter=5000), labels=labels)
    # Probability columns come in sorted class order: barbera, barolo, grignolino.
    order = np.argsort(labels)
    test = test.rename(columns={f"p{k}": f"q{i}" for i, k in enumerate(order)})
    context = EvaluationContext(
        evaluation=test,
        train=train,
        target="y",
        source=ColumnPredictions("prediction", ["q0", "q1", "q2"]),
    )
    [measurement] = run("performance.classification", context, n_bootstrap=200, min_class_support=1)
    observed, y, p = measurement.observed, test["y"], test["prediction"]
    probabilities = test[["q0", "q1", "q2"]].to_numpy()

    assert context.task == "multiclass"
    assert observed["f1_macro"] == pytest.approx(sk.f1_score(y, p, average="macro"))
    assert observed["recall_weighted"] == pytest.approx(sk.recall_score(y, p, average="weighted"))
    assert observed["roc_auc"] == pytest.approx(
        sk.roc_auc_score(y, probabilities, multi_class="ovr")
    )
    assert observed["log_loss"] == pytest.approx(sk.log_loss(y, probabilities))
    assert observed["min_class_recall"] == pytest.approx(min(sk.recall_score(y, p, average=None)))
    assert "precision" not in observed  # binary-only metrics are not made up


def test_a_class_absent_from_the_evaluation_rows_is_left_out_of_the_intervals_averages():
    """The bootstrap averages over the classes present, as scikit-learn does: its interval
    holds the point value also when a class the model knows is missing from the rows."""
    labels = np.array(["barolo", "grignolino", "barbera"])
    train, test = bundled(sk_datasets.load_wine, LogisticRegression(max_iter=5000), labels=labels)
    test = test[(test["y"] != "barbera") & (test["prediction"] != "barbera")]
    test = test.reset_index(drop=True)
    context = EvaluationContext(
        evaluation=test,
        train=train,
        target="y",
        source=ColumnPredictions("prediction", ["p2", "p0", "p1"]),  # barbera, barolo, grig.
    )
    [measurement] = run("performance.classification", context, n_bootstrap=300, min_class_support=1)
    observed, y, p = measurement.observed, test["y"], test["prediction"]

    assert len(context.class_labels) == 3
    assert observed["f1_macro"] == pytest.approx(sk.f1_score(y, p, average="macro"))
    for name in ("f1_macro", "balanced_accuracy", "recall_macro"):
        interval = measurement.ci[name]
        assert interval["low"] <= observed[name] <= interval["high"], name
        # Averaged over three classes, one of them empty, the interval would sit near
        # two thirds of the value instead.
        assert interval["high"] > 0.9 * observed[name], name


def test_regression_metrics_equal_scikit_learns_on_diabetes():
    train, test = bundled(sk_datasets.load_diabetes, Ridge())
    context = EvaluationContext(
        evaluation=test, train=train, target="y", source=ColumnPredictions("prediction")
    )
    [measurement] = run("performance.regression", context, n_bootstrap=300)
    observed, y, p = measurement.observed, test["y"], test["prediction"]

    assert context.task == "regression"
    assert observed["mae"] == pytest.approx(sk.mean_absolute_error(y, p))
    assert observed["rmse"] == pytest.approx(sk.root_mean_squared_error(y, p))
    assert observed["r2"] == pytest.approx(sk.r2_score(y, p))
    assert observed["mape"] == pytest.approx(sk.mean_absolute_percentage_error(y, p))
    assert observed["max_error"] == pytest.approx(sk.max_error(y, p))
    for name in ("mae", "rmse", "r2", "mape"):
        assert measurement.ci[name]["low"] <= observed[name] <= measurement.ci[name]["high"]
    assert sum(measurement.evidence["residual_histogram"]["counts"]) == len(test)


def test_skill_over_the_majority_class_is_the_normalised_balanced_accuracy(healthy):
    context = context_for(healthy)
    [measurement] = run(
        "performance.baseline_comparison", context, baseline="most_frequent", n_bootstrap=200
    )
    truth, predicted = healthy.evaluation["y"], healthy.evaluation["prediction"]
    balanced = sk.balanced_accuracy_score(truth, predicted)

    assert measurement.observed["balanced_accuracy_skill"] == pytest.approx((balanced - 0.5) / 0.5)
    assert measurement.evidence["fitted_on"] == "train"


def test_skill_over_the_median_uses_the_training_median():
    data = datasets(0, task="regression")
    context = context_for(data, task="regression")
    [measurement] = run(
        "performance.baseline_comparison", context, baseline="median", n_bootstrap=100
    )
    truth, predicted = data.evaluation["y"], data.evaluation["prediction"]
    median_error = np.mean(np.abs(truth - np.median(data.train["y"])))

    assert measurement.observed["mae_skill"] == pytest.approx(
        1 - sk.mean_absolute_error(truth, predicted) / median_error
    )


def test_a_model_significantly_worse_than_a_simple_model_fails(healthy):
    evaluation = healthy.evaluation
    scrambled = np.random.default_rng(0).permutation(len(evaluation))
    evaluation["probability"] = evaluation["probability"].to_numpy()[scrambled]
    evaluation["prediction"] = evaluation["prediction"].to_numpy()[scrambled]
    plan = plan_parse(
        [
            {
                "check": "performance.baseline_comparison",
                "params": {"baseline": "simple", "require_significance": True},
                "comparator": ">=",
                "threshold": 0.0,
            }
        ]
    )

    [result] = evaluate(context_for(healthy), plan).results

    assert result.outcome == "fail"
    assert result.ci["high"] < 0
    assert "baseline simple fitted on the train data" in result.message


def test_a_real_drop_from_the_reference_fails_and_noise_does_not(healthy):
    plan = plan_parse(
        [{"check": "performance.reference_comparison", "comparator": "<=", "threshold": 0.05}]
    )
    [clean] = evaluate(context_for(healthy), plan).results

    evaluation = healthy.evaluation
    broken = np.random.default_rng(1).random(len(evaluation)) < 0.3
    evaluation.loc[broken, "prediction"] = 1 - evaluation.loc[broken, "prediction"]
    [degraded] = evaluate(context_for(healthy), plan).results

    assert clean.outcome == "pass"
    assert degraded.outcome == "fail"
    assert degraded.observed["relative_drop"] > 0.1
    assert "statistically significant" in degraded.message


def test_rows_without_labels_are_left_out_and_counted(healthy):
    healthy.evaluation.loc[:99, "y"] = np.nan
    context = context_for(healthy)
    [measurement] = run("performance.classification", context, n_bootstrap=0)

    assert measurement.evidence["rows"] == len(healthy.evaluation) - 100
    assert measurement.evidence["unlabelled_rows"] == 100
    assert pd.isna(healthy.evaluation["y"]).sum() == 100


def test_a_simple_baseline_scored_on_a_sample_still_finds_the_gap_and_says_so(healthy):
    evaluation = healthy.evaluation
    scrambled = np.random.default_rng(0).permutation(len(evaluation))
    evaluation["probability"] = evaluation["probability"].to_numpy()[scrambled]
    evaluation["prediction"] = evaluation["prediction"].to_numpy()[scrambled]
    plan = plan_parse(
        [
            {
                "check": "performance.baseline_comparison",
                "params": {
                    "baseline": "simple",
                    "require_significance": True,
                    "max_evaluation_rows": 1000,
                },
                "comparator": ">=",
                "threshold": 0.0,
            }
        ]
    )

    [result] = evaluate(context_for(healthy), plan).results

    assert result.outcome == "fail" and result.ci["high"] < 0
    assert result.sampling["scored_rows"]["rows"] == 1000
    assert result.sampling["scored_rows"]["of_rows"] == len(evaluation)
    assert f"on 1,000 random rows of {len(evaluation):,}" in result.message


def test_a_baseline_that_makes_no_error_leaves_no_check_in_error():
    rng = np.random.default_rng(4)

    def separable(rows):  # a wide gap around 0 separates the classes
        return pd.DataFrame({"x": rng.choice([-1, 1], rows) * rng.uniform(1, 3, rows)})

    train = separable(400)
    train["y"] = (train["x"] > 0).astype(int)
    evaluation = separable(200)
    evaluation["y"] = (evaluation["x"] > 0).astype(int)
    evaluation["prediction"] = np.where(rng.random(200) < 0.1, 1 - evaluation["y"], evaluation["y"])
    context = EvaluationContext(
        evaluation=evaluation, train=train, target="y", source=ColumnPredictions("prediction")
    )
    item = {"check": "performance.baseline_comparison", "metric": "balanced_accuracy_skill",
            "params": {"baseline": "simple", "require_significance": True},
            "comparator": ">=", "threshold": 0.0}  # fmt: skip

    [result] = evaluate(context, plan_parse([item])).results

    assert result.observed["balanced_accuracy_baseline"] == 1.0  # the baseline is perfect
    assert result.observed["balanced_accuracy_skill"] is None  # no skill over no error
    assert result.outcome == "skipped" and "could not be computed" in result.message


def test_the_roc_and_precision_recall_curves_are_scikit_learns_thinned_to_200_points():
    train, test = bundled(sk_datasets.load_breast_cancer, LogisticRegression(max_iter=5000))
    context = EvaluationContext(
        evaluation=test, train=train, target="y", source=ColumnPredictions("prediction", ["p1"])
    )
    [measurement] = run("performance.classification", context, n_bootstrap=0)
    [roc], [pr] = measurement.evidence["roc_curves"], measurement.evidence["pr_curves"]
    hits, score = test["y"] == 1, test["p1"]

    fpr, tpr, _ = sk.roc_curve(hits, score, drop_intermediate=False)
    on_curve = set(zip(np.round(fpr, 4), np.round(tpr, 4), strict=True))
    precision, recall, _ = sk.precision_recall_curve(hits, score)
    on_pr_curve = set(zip(np.round(recall, 4), np.round(precision, 4), strict=True))
    assert 2 <= len(roc["fpr"]) <= 200 and len(roc["fpr"]) == len(roc["tpr"])
    assert set(zip(roc["fpr"], roc["tpr"], strict=True)) <= on_curve
    assert (roc["fpr"][0], roc["tpr"][0]) == (0.0, 0.0) and (roc["fpr"][-1], roc["tpr"][-1]) == (
        1.0,
        1.0,
    )
    assert roc["auc"] == pytest.approx(measurement.observed["roc_auc"])
    assert pr["recall"][0] == 0.0 and pr["recall"][-1] == 1.0 and pr["precision"][0] == 1.0
    assert np.all(np.diff(pr["recall"]) >= 0)
    assert set(zip(pr["recall"], pr["precision"], strict=True)) <= on_pr_curve
    assert pr["average_precision"] == pytest.approx(sk.average_precision_score(hits, score))
    assert pr["base_rate"] == pytest.approx(hits.mean())
    assert roc["class"] == pr["class"] == "1"


def test_a_multiclass_model_has_one_vs_rest_curves_per_class_in_a_few_kilobytes():
    labels = np.array(["barolo", "grignolino", "barbera"])
    train, test = bundled(sk_datasets.load_wine, LogisticRegression(max_iter=5000), labels=labels)
    source = ColumnPredictions("prediction", ["p0", "p1", "p2"])
    context = EvaluationContext(evaluation=test, train=train, target="y", source=source)
    [measurement] = run("performance.classification", context, n_bootstrap=0)

    curves = measurement.evidence["roc_curves"]
    assert sorted(curve["class"] for curve in curves) == sorted(labels)
    assert all(len(curve["fpr"]) <= 100 for curve in curves)
    assert len(measurement.evidence["pr_curves"]) == 3
    assert len(json.dumps(measurement.evidence)) < 20_000


def test_curves_of_tied_scores_keep_scikit_learns_areas():
    rng = np.random.default_rng(4)
    truth = rng.integers(0, 2, 600)
    score = np.round(np.clip(0.5 + 0.3 * (truth - 0.5) + rng.normal(0, 0.25, 600), 0, 1), 1)

    curves = roc_pr_curves(truth, np.column_stack([1 - score, score]), 1, ["no", "yes"])

    [roc], [pr] = curves["roc_curves"], curves["pr_curves"]
    assert roc["auc"] == pytest.approx(sk.roc_auc_score(truth, score), abs=1e-12)
    assert pr["average_precision"] == pytest.approx(
        sk.average_precision_score(truth, score), abs=1e-12
    )
    assert len(roc["fpr"]) == len(np.unique(score)) + 1  # one point per distinct score


def test_binary_areas_equal_scikit_learns_with_tied_scores():
    rng = np.random.default_rng(3)
    hits = rng.random(20_000) < 0.3
    scores = np.round(np.clip(0.3 + 0.2 * hits + rng.normal(0, 0.2, len(hits)), 0, 1), 2)

    roc_auc, average_precision = binary_areas(hits, scores)

    assert roc_auc == pytest.approx(sk.roc_auc_score(hits, scores), abs=1e-12)
    assert average_precision == pytest.approx(sk.average_precision_score(hits, scores), abs=1e-12)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_relative_checks_point_values_equal_scikit_learns():
    from apps.evaluations.engine.checks.relative_metrics import point_value

    rng = np.random.default_rng(4)
    truth = rng.integers(0, 3, 5000)
    truth[truth == 2] = 1  # class 2 is never true ...
    predicted = np.where(
        rng.random(5000) < 0.7, truth, rng.integers(0, 3, 5000)
    )  # ... but predicted
    probabilities = rng.dirichlet(np.ones(2), 5000)
    binary_truth = (truth == 1).astype(int)

    assert point_value("balanced_accuracy", truth, predicted, None, 3) == pytest.approx(
        sk.balanced_accuracy_score(truth, predicted)
    )
    assert point_value("accuracy", truth, predicted, None, 3) == pytest.approx(
        sk.accuracy_score(truth, predicted)
    )
    assert point_value("roc_auc", binary_truth, binary_truth, probabilities, 2) == pytest.approx(
        sk.roc_auc_score(binary_truth, probabilities[:, 1])
    )
