"""A population where a covariate shift moves rows towards the decision boundary, where the
model is unsure: its accuracy drops with the relation between inputs and labels unchanged,
the case confidence-based estimation is built for.

y depends on x1 strongly and on x2 weakly; x3 is noise the model learns to ignore.
"""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from apps.evaluations.engine.context import EvaluationContext, Predictions
from tests.engine.estimator_source import EstimatorSource

FEATURES = ["x1", "x2", "x3"]


def population(rows: int, seed: int, *, x1_spread=1.5, x1_shift=0.0, x3_shift=0.0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x1": rng.normal(x1_shift, x1_spread, rows),
            "x2": rng.normal(0, 1, rows),
            "x3": rng.normal(x3_shift, 1, rows),
        }
    )
    logit = 2.0 * frame["x1"] + 0.5 * frame["x2"]
    frame["y"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def trained_model(seed: int = 0) -> LogisticRegression:
    train = population(20_000, 10_000 + seed)
    return LogisticRegression().fit(train[FEATURES], train["y"])


class Overconfident(EstimatorSource):
    """The same model with its logits tripled: right ranking, probabilities too extreme."""

    def _predict(self, inputs):
        probability = self.estimator.predict_proba(inputs)[:, 1]
        logit = 3 * np.log(probability / (1 - probability))
        sharpened = 1 / (1 + np.exp(-logit))
        classes = self.estimator.classes_
        return Predictions(
            classes[(sharpened >= 0.5).astype(int)],
            np.column_stack([1 - sharpened, sharpened]),
            classes,
        )


def unlabelled_context(model, reference, current, source=EstimatorSource) -> EvaluationContext:
    """The current batch with its labels withheld (the target column empty, as a run of a
    production sample without labels gets it)."""
    return EvaluationContext(
        evaluation=current.assign(y=np.nan),
        reference=reference,
        target="y",
        features=FEATURES,
        source=source(model, features=FEATURES),
        task="binary",
    )


def realised_accuracy(model, current, source=EstimatorSource) -> float:
    """The accuracy the batch shows once its labels are revealed."""
    predicted = source(model, features=FEATURES).predict(current, FEATURES).labels
    return float(np.mean(predicted == current["y"].to_numpy()))
