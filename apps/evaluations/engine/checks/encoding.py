"""Turning dataset columns into model inputs for the engine's own small models (the simple
baseline, the domain classifier, the one-feature leakage models)."""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from apps.evaluations.engine.checks.inputs import text_categories
from apps.evaluations.engine.data import BOOLEAN, CATEGORICAL, DATETIME, NUMERIC

MISSING = "__missing__"


def split_columns(kinds: dict[str, str], columns: list[str]) -> tuple[list[str], list[str]]:
    """(numeric, categorical) columns a small model can use; text and ids are left out."""
    numeric = [name for name in columns if kinds.get(name) in (NUMERIC, DATETIME)]
    categorical = [name for name in columns if kinds.get(name) in (CATEGORICAL, BOOLEAN)]
    return numeric, categorical


def model_frame(
    frame: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    vocabulary: dict[str, pd.Index] | None = None,
) -> pd.DataFrame:
    """Numeric columns as floats (dates as seconds); categorical ones as plain strings, or,
    with a `vocabulary` (see `category_vocabulary`), as each text's position in it (-1: a
    text it lacks), which an encoder learns and applies many times faster than strings."""
    columns = {}
    for name in numeric:
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = values.astype("int64", errors="ignore") / 1e9
        columns[name] = pd.to_numeric(values, errors="coerce").astype(float)
    for name in categorical:
        # Each row refers to its category's one text object: no string per row.
        texts, codes = text_categories(frame[name])
        labels = pd.Index(np.append(texts.astype(object).to_numpy(), MISSING).astype(object))
        if vocabulary is None:
            columns[name] = labels.to_numpy()[codes]
        else:
            columns[name] = vocabulary[name].get_indexer(labels)[codes]
    return pd.DataFrame(columns, index=frame.index)


def category_vocabulary(frame: pd.DataFrame, categorical: list[str]) -> dict[str, pd.Index]:
    """The texts of each categorical column of `frame` (missing as one more text)."""
    vocabulary = {}
    for name in categorical:
        texts = text_categories(frame[name])[0].astype(object).to_numpy()
        vocabulary[name] = pd.Index(np.append(texts, MISSING).astype(object)).unique()
    return vocabulary


def simple_model(task: str, numeric: list[str], categorical: list[str]) -> Any:
    """A linear model with imputation, scaling and one-hot encoding: the "simple model"
    a complex one should beat."""
    # Any: scikit-learn ships no types (its estimators, transformers and pipelines).
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        transformers.append(
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric)
        )
    if categorical:
        encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=20)
        transformers.append(("categorical", encoder, categorical))
    estimator = Ridge() if task == "regression" else LogisticRegression(max_iter=1000)
    return make_pipeline(ColumnTransformer(transformers), estimator)


def predict_in_chunks(
    model: Any,
    method: str,
    frame: pd.DataFrame,
    rows: NDArray[Any],
    columns: tuple[list[str], list[str], dict[str, pd.Index] | None],
    chunk: int = 16_384,
) -> NDArray[Any]:
    """`model.<method>` on the rows at positions `rows` of `frame`, encoded as
    `model_frame(numeric, categorical, vocabulary)` `chunk` rows at a time, so the encoded
    inputs of a large dataset are never all held."""
    return np.concatenate(
        [
            getattr(model, method)(model_frame(frame.iloc[rows[start : start + chunk]], *columns))
            for start in range(0, max(len(rows), 1), chunk)
        ]
    )


def ordinal_codes(
    frames: list[pd.DataFrame], numeric: list[str], categorical: list[str]
) -> list[NDArray[np.float64]]:
    """Float matrices (numeric columns, then categorical codes; missing as NaN) with one
    coding shared by all frames, for HistGradientBoosting with categorical features."""
    matrices = [np.empty((len(frame), len(numeric) + len(categorical))) for frame in frames]
    for position, name in enumerate(numeric):
        for matrix, frame in zip(matrices, frames, strict=True):
            matrix[:, position] = model_frame(frame[[name]], [name], [])[name].to_numpy()
    for offset, name in enumerate(categorical, start=len(numeric)):
        # Each frame's texts counted by code (no string per row), then summed by text.
        coded = [text_categories(frame[name]) for frame in frames]
        counts = pd.concat(
            [
                pd.Series(np.bincount(codes[codes >= 0], minlength=len(texts)), index=texts)
                for texts, codes in coded
            ]
        )
        counts = counts.groupby(level=0, sort=False).sum()
        # Categories ranked by frequency so the 255-bin limit keeps the common ones.
        categories = pd.Index(counts.sort_values(ascending=False, kind="stable").index[:250])
        for matrix, (texts, codes) in zip(matrices, coded, strict=True):
            positions = np.append(categories.get_indexer(texts), -1).astype(float)
            positions[positions < 0] = np.nan
            matrix[:, offset] = positions[codes]
    return matrices
