"""Genuine models as people upload them: skops and ONNX (skl2onnx) files of forests,
boosted trees, pipelines, multi-class classifiers and regressors, fitted on small data."""

from functools import cache

import numpy as np
import pandas as pd
import skops.io
from sklearn.compose import make_column_transformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

ROWS = 300


@cache
def numbers() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Four numeric features, a binary, a three-class and a continuous target."""
    rng = np.random.default_rng(3)
    features = rng.normal(size=(ROWS, 4))
    binary = (features[:, 0] + features[:, 1] > 0).astype(int)
    three = np.digitize(features[:, 2], [-0.5, 0.5])
    value = features[:, 0] * 2 + rng.normal(scale=0.1, size=ROWS)
    return features, binary, three, value


@cache
def frame() -> pd.DataFrame:
    features, binary, *_ = numbers()
    data = pd.DataFrame(features, columns=["age", "income", "score", "tenure"])
    data["region"] = np.array(["north", "south", "east"])[np.arange(ROWS) % 3]
    data["y"] = binary
    return data


@cache
def estimators() -> dict[str, tuple[object, str, int | None]]:
    """name → (fitted estimator, task, number of classes)."""
    features, binary, three, value = numbers()
    data = frame()
    pipeline = make_pipeline(
        make_column_transformer(
            (StandardScaler(), ["age", "income", "score", "tenure"]),
            (OneHotEncoder(handle_unknown="ignore"), ["region"]),
        ),
        LogisticRegression(),
    ).fit(data.drop(columns="y"), data["y"])
    forest = RandomForestClassifier(n_estimators=15, random_state=0)
    boosted = GradientBoostingClassifier(n_estimators=10, random_state=0)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    return {
        "random_forest": (forest.fit(features, binary), "binary", 2),
        "boosted_trees_multiclass": (boosted.fit(features, three), "multiclass", 3),
        "hist_boosting_multiclass": (
            HistGradientBoostingClassifier(max_iter=15).fit(features, three),
            "multiclass",
            3,
        ),
        "hist_boosting_regressor": (
            HistGradientBoostingRegressor(max_iter=15).fit(features, value),
            "regression",
            None,
        ),
        "boosted_regressor": (
            GradientBoostingRegressor(n_estimators=10).fit(features, value),
            "regression",
            None,
        ),
        "pipeline_with_categories": (pipeline, "binary", 2),
        "decision_tree": (tree.fit(features, binary), "binary", 2),
    }


def skops_model(name: str) -> bytes:
    return skops.io.dumps(estimators()[name][0])


SKOPS_NAMES = [
    "random_forest", "boosted_trees_multiclass", "hist_boosting_multiclass",
    "hist_boosting_regressor", "boosted_regressor", "pipeline_with_categories", "decision_tree",
]  # fmt: skip
# skl2onnx converts all of these but the histogram boosters (its converter does not
# follow this scikit-learn's trees), and the pipeline needs typed inputs per column.
ONNX_NAMES = ["random_forest", "boosted_trees_multiclass", "boosted_regressor", "decision_tree"]


@cache
def onnx_model(name: str) -> bytes:
    from skl2onnx import to_onnx

    features = numbers()[0].astype(np.float32)
    converted = to_onnx(estimators()[name][0], features[:1])
    return converted.SerializeToString()


def expected(name: str) -> tuple[str, int | None]:
    _estimator, task, classes = estimators()[name]
    return task, classes
