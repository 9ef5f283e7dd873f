"""Deterministic benchmark data: a credit-like table of 24 columns with a sensitive column,
written as Parquet, and a scikit-learn HistGradientBoosting model (.skops) trained on it."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NUMERIC = [f"x{i:02d}" for i in range(16)]
CATEGORICAL = ["region", "channel", "product", "segment", "employment", "housing"]
SENSITIVE = "sex"
TARGET = "default"
FEATURES = NUMERIC + CATEGORICAL + [SENSITIVE]


def table(rows: int, *, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {name: rng.normal(shift if i < 3 else 0.0, 1.0, rows) for i, name in enumerate(NUMERIC)}
    levels = {
        "region": ["north", "south", "east", "west"],
        "channel": ["web", "branch", "phone"],
        "product": ["card", "loan", "mortgage", "overdraft", "lease"],
        "segment": ["retail", "premium", "business"],
        "employment": ["salaried", "self_employed", "unemployed", "retired"],
        "housing": ["own", "rent", "family"],
    }
    for name, values in levels.items():
        data[name] = rng.choice(values, rows)
    data[SENSITIVE] = rng.choice(["F", "M"], rows)
    score = (
        data["x00"]
        - 0.8 * data["x01"]
        + 0.5 * data["x02"] * data["x03"]
        - 0.6 * (data["employment"] == "unemployed")
    )
    data[TARGET] = (rng.random(rows) < 1 / (1 + np.exp(-score))).astype(np.int64)
    frame = pd.DataFrame(data)
    for name in [*CATEGORICAL, SENSITIVE]:
        frame[name] = frame[name].astype("category")
    return frame


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=200_000)


def train_model(path: Path) -> None:
    import skops.io
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder
    from threadpoolctl import threadpool_limits

    train = table(100_000, seed=7)
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [("categories", OrdinalEncoder(), [*CATEGORICAL, SENSITIVE])],
                    remainder="passthrough",
                ),
            ),
            ("classifier", HistGradientBoostingClassifier(max_iter=100, random_state=0)),
        ]
    )
    with threadpool_limits(limits=1):
        model.fit(train[FEATURES], train[TARGET])
    skops.io.dump(model, path)


def prepare(folder: Path, sizes: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "model.skops").exists():
        train_model(folder / "model.skops")
    if not (folder / "reference.parquet").exists():
        write_parquet(table(200_000, seed=11), folder / "reference.parquet")
    for rows in sizes:
        path = folder / f"evaluation-{rows}.parquet"
        if not path.exists():
            write_parquet(table(rows, seed=13, shift=0.05), path)
