"""Synthetic credit-scoring data and models for the demo project (no Django here).

The data is generated, deterministic, and carries a known defect on purpose: the historical
labels are biased against one sex, so a model trained on them, version 1, treats women
worse than men with the same finances. Version 2 is trained on audited labels, without
the bias. The demo's reviews find the first problem and verify the fix.
"""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

TARGET = "repaid"
SENSITIVE = ["sex"]
NUMERIC = ["age", "income", "debt_ratio", "credit_history_years", "late_payments", "loan_amount"]
CATEGORICAL = ["employment", "region", "sex"]
FEATURES = NUMERIC + CATEGORICAL


def credit_applicants(
    rows: int, *, seed: int, label_bias: float = 0.0, missing_income: float = 0.0
) -> pd.DataFrame:
    """Loan applicants and whether they repaid.

    `label_bias` is the share of women who repaid but whose record says they did not, the
    kind of historical bias a model learns and repeats. `missing_income` is the share of
    rows whose income an export lost.
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(19, 76, rows)
    income = np.round(rng.lognormal(mean=10.4, sigma=0.45, size=rows), 2)
    debt_ratio = np.round(np.clip(rng.gamma(2.0, 0.18, rows), 0, 1.6), 3)
    history = np.clip(age - 18 - rng.integers(0, 8, rows), 0, None)
    late = rng.poisson(np.where(debt_ratio > 0.6, 1.6, 0.4))
    amount = np.round(rng.uniform(1_000, 40_000, rows), -2)
    employment = rng.choice(
        ["salaried", "self_employed", "unemployed", "retired"], rows, p=[0.62, 0.2, 0.08, 0.1]
    )
    region = rng.choice(["north", "south", "east", "west"], rows, p=[0.3, 0.3, 0.2, 0.2])
    sex = rng.choice(["F", "M"], rows)
    score = 1.8 * (
        1.2
        + 0.9 * np.log(income / 30_000)
        - 2.4 * debt_ratio
        - 0.55 * late
        + 0.03 * np.minimum(history, 30)
        - 0.000025 * amount
        - 1.1 * (employment == "unemployed")
    )
    repaid = rng.random(rows) < 1 / (1 + np.exp(-score))
    biased = (sex == "F") & repaid & (rng.random(rows) < label_bias)
    repaid = repaid & ~biased
    income = np.where(rng.random(rows) < missing_income, np.nan, income)
    return pd.DataFrame(
        {
            "age": age,
            "income": income,
            "debt_ratio": debt_ratio,
            "credit_history_years": history,
            "late_payments": late,
            "loan_amount": amount,
            "employment": employment,
            "region": region,
            "sex": sex,
            TARGET: repaid.astype(int),
        }
    )


def credit_model(train: pd.DataFrame) -> Pipeline:
    """A gradient-boosting pipeline over every feature, the sensitive one included."""
    preprocess = ColumnTransformer(
        [("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)],
        remainder="passthrough",
    )
    model = Pipeline(
        [
            ("preprocess", preprocess),
            ("classifier", HistGradientBoostingClassifier(max_iter=100, random_state=0)),
        ]
    )
    model.fit(train[FEATURES], train[TARGET])
    return model
