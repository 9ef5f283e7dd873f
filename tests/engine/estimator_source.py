"""A prediction source that runs a scikit-learn estimator in this process.

The engine takes any `PredictionSource`; the sandbox is the one the product uses, and its
own tests cover it. Checks that predict many perturbed inputs are tested faster with the
same estimators called directly.
"""

import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from apps.evaluations.engine.context import ModelInfo, Predictions
from apps.evaluations.engine.errors import EngineError
from tests.engine.synthetic import FEATURES

NUMERIC, CATEGORICAL = FEATURES[:4], FEATURES[4:]


class EstimatorSource:
    def __init__(self, estimator, features=FEATURES):
        self.estimator = estimator
        classes = getattr(estimator, "classes_", None)
        self.info = ModelInfo(
            format="estimator",
            task="regression" if classes is None else "classification",
            classes=None if classes is None else tuple(classes.tolist()),
            feature_names=tuple(features),
            has_probabilities=hasattr(estimator, "predict_proba"),
            artifact_bytes=1_048_576,
        )

    def predict(self, frame, features):
        """Like the sandbox, a model that raises is reported as an EngineError."""
        try:
            return self._predict(frame[list(features)])
        except Exception as error:
            raise EngineError(f"The model failed while predicting: {error}") from error

    def _predict(self, inputs):
        if self.info.has_probabilities:
            probabilities = self.estimator.predict_proba(inputs)
            classes = self.estimator.classes_
            return Predictions(classes[probabilities.argmax(axis=1)], probabilities, classes)
        return Predictions(np.asarray(self.estimator.predict(inputs), dtype=float))

    def benchmark(self, frame, features, *, batch_rows, repeats, warmup):
        inputs = frame[list(features)]
        seconds = []
        for number in range(warmup + repeats):
            start = (number * batch_rows) % max(len(inputs) - batch_rows, 1)
            batch = inputs.iloc[start : start + batch_rows]
            started = time.perf_counter()
            self.estimator.predict(batch)
            if number >= warmup:
                seconds.append(time.perf_counter() - started)
        return {"seconds": seconds, "rows": batch_rows, "peak_memory_mb": 100.0}


def fitted(train, task="binary", impute=True):
    """A linear model of the synthetic population: smooth, robust, fair."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    if not impute:
        numeric = StandardScaler()
    encoder = OneHotEncoder(handle_unknown="ignore")
    categorical = make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)
    if not impute:
        categorical = encoder
    columns = ColumnTransformer([("n", numeric, NUMERIC), ("c", categorical, CATEGORICAL)])
    estimator = LinearRegression() if task == "regression" else LogisticRegression(max_iter=500)
    return make_pipeline(columns, estimator).fit(train[FEATURES], train["y"])


class FragileModel:
    """Decides on a rapidly oscillating function of "score": noise of a few hundredths of
    its spread flips the decision."""

    classes_ = np.array([0, 1])

    def predict_proba(self, frame):
        score = frame["score"].to_numpy(dtype=float)
        positive = 1 / (1 + np.exp(-8 * np.sin(60 * score)))
        return np.column_stack([1 - positive, positive])

    def predict(self, frame):
        return self.predict_proba(frame).argmax(axis=1)
