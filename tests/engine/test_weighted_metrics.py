"""The vectorised bootstrap metrics equal scikit-learn's, with a row of ones and with
resample counts as sample weights."""

import numpy as np
import pytest
from sklearn import metrics as sk

from apps.evaluations.engine import weighted_metrics as wm


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_confusion_metrics_equal_scikit_learns(rng, n_classes):
    y = rng.integers(0, n_classes, 500)
    p = np.where(rng.random(500) < 0.6, y, rng.integers(0, n_classes, 500))
    weights = rng.integers(0, 4, 500).astype(float)
    positive = 1 if n_classes == 2 else None

    for counts in (np.ones((1, 500)), weights[None, :]):
        w = counts[0]
        matrices = wm.confusion_matrices(counts, y, p, n_classes)
        values = {k: v[0] for k, v in wm.confusion_metrics(matrices, positive).items()}

        assert values["accuracy"] == pytest.approx(sk.accuracy_score(y, p, sample_weight=w))
        assert values["balanced_accuracy"] == pytest.approx(
            sk.balanced_accuracy_score(y, p, sample_weight=w)
        )
        assert values["mcc"] == pytest.approx(sk.matthews_corrcoef(y, p, sample_weight=w))
        for average in ("macro", "weighted"):
            expected = sk.precision_recall_fscore_support(
                y, p, average=average, sample_weight=w, zero_division=0
            )
            assert values[f"precision_{average}"] == pytest.approx(expected[0])
            assert values[f"recall_{average}"] == pytest.approx(expected[1])
            assert values[f"f1_{average}"] == pytest.approx(expected[2])
        if positive is not None:
            assert values["f1"] == pytest.approx(sk.f1_score(y, p, sample_weight=w))


def test_ranking_metrics_equal_scikit_learns_with_ties(rng):
    y = rng.random(800) < 0.3
    scores = np.round(np.clip(0.3 * y + rng.normal(0.4, 0.2, 800), 0, 1), 2)  # many ties
    weights = rng.integers(0, 4, 800).astype(float)

    for counts in (np.ones((1, 800)), weights[None, :]):
        w = counts[0]
        assert wm.roc_auc(counts, scores, y)[0] == pytest.approx(
            sk.roc_auc_score(y, scores, sample_weight=w)
        )
        assert wm.average_precision(counts, scores, y)[0] == pytest.approx(
            sk.average_precision_score(y, scores, sample_weight=w)
        )
        both = wm.ranking_areas(counts, scores, y)
        assert both[0][0] == wm.roc_auc(counts, scores, y)[0]
        assert both[1][0] == wm.average_precision(counts, scores, y)[0]


def test_multiclass_auc_and_losses_equal_scikit_learns(rng):
    y = rng.integers(0, 3, 600)
    logits = rng.normal(size=(600, 3)) + 1.5 * np.eye(3)[y]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    ones = np.ones((1, 600))

    assert wm.macro_one_vs_rest(wm.roc_auc, ones, probabilities, y)[0] == pytest.approx(
        sk.roc_auc_score(y, probabilities, multi_class="ovr")
    )
    assert wm.weighted_mean(ones, wm.log_loss_per_row(probabilities, y))[0] == pytest.approx(
        sk.log_loss(y, probabilities)
    )
    assert wm.weighted_mean(ones, wm.brier_per_row(probabilities, y))[0] == pytest.approx(
        sk.brier_score_loss(y, probabilities)
    )


def test_regression_metrics_equal_scikit_learns(rng):
    truth = rng.normal(10, 3, 400)
    predicted = truth + rng.normal(0, 1, 400)
    weights = rng.integers(0, 4, 400).astype(float)

    for counts in (np.ones((1, 400)), weights[None, :]):
        w = counts[0]
        values = {k: v[0] for k, v in wm.regression_metrics(counts, truth, predicted).items()}
        assert values["mae"] == pytest.approx(
            sk.mean_absolute_error(truth, predicted, sample_weight=w)
        )
        assert values["rmse"] == pytest.approx(
            sk.root_mean_squared_error(truth, predicted, sample_weight=w)
        )
        assert values["r2"] == pytest.approx(sk.r2_score(truth, predicted, sample_weight=w))
        assert values["mape"] == pytest.approx(
            sk.mean_absolute_percentage_error(truth, predicted, sample_weight=w)
        )
