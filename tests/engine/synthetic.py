"""Synthetic populations with known structure, and the defects the tests plant in them.

Predictions are the true probabilities of the generating model (so they are perfectly
calibrated and carry no defect of their own); evaluation, reference and training sets are
independent samples of the same population unless a test says otherwise.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

REGIONS, REGION_SHARES = ["north", "south", "east", "west"], [0.4, 0.3, 0.2, 0.1]
CHANNELS, CHANNEL_SHARES = ["web", "shop", "phone"], [0.5, 0.3, 0.2]
REGION_EFFECT = {"north": 0.4, "south": 0.0, "east": -0.3, "west": -0.6}
CHANNEL_EFFECT = {"web": 0.2, "shop": -0.1, "phone": -0.3}
FEATURES = ["age", "income", "score", "tenure", "region", "channel"]


def population(
    rows: int,
    seed: int,
    *,
    task: str = "binary",
    income_scale: float = 1.0,
    channel_shares=CHANNEL_SHARES,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": np.clip(rng.normal(40, 10, rows).round(), 18, 90),
            "income": rng.lognormal(10, 0.5, rows) * income_scale,
            "score": rng.normal(0, 1, rows),
            "tenure": rng.poisson(5, rows),
            "region": rng.choice(REGIONS, rows, p=REGION_SHARES),
            "channel": rng.choice(CHANNELS, rows, p=channel_shares),
        }
    )
    signal = (
        0.04 * (frame["age"] - 40)
        + 1.2 * frame["score"]
        + 0.3 * (np.log(frame["income"]) - 10)
        + 0.05 * (frame["tenure"] - 5)
        + frame["region"].map(REGION_EFFECT)
        + frame["channel"].map(CHANNEL_EFFECT)
    )
    signal = signal.to_numpy(dtype=float)
    if task == "regression":
        frame["y"] = 10 + 3 * signal + rng.normal(0, 2, rows)
        frame["prediction"] = 10 + 3 * signal
        return frame
    if task == "multiclass":
        logits = np.column_stack([np.zeros(rows), signal, -signal + 0.5 * frame["score"]])
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        y = (rng.random(rows)[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1)
        frame["y"] = y
        for k in range(3):
            frame[f"p{k}"] = probabilities[:, k]
        frame["prediction"] = probabilities.argmax(axis=1)
        return frame
    probability = 1 / (1 + np.exp(-(signal - 0.2)))
    frame["y"] = (rng.random(rows) < probability).astype(int)
    frame["probability"] = probability
    frame["prediction"] = (probability >= 0.5).astype(int)
    return frame


@dataclass
class Datasets:
    evaluation: pd.DataFrame
    reference: pd.DataFrame
    train: pd.DataFrame


def datasets(seed: int, rows: int = 2000, task: str = "binary", **evaluation_options) -> Datasets:
    """Evaluation, reference and training samples; options change the evaluation sample."""
    return Datasets(
        evaluation=population(rows, 3 * seed, task=task, **evaluation_options),
        reference=population(rows, 3 * seed + 1, task=task),
        train=population(int(rows * 1.5), 3 * seed + 2, task=task),
    )


def with_fair_group(data: Datasets) -> Datasets:
    """The datasets with a "sex" column independent of everything else."""
    frames = []
    for number, frame in enumerate((data.evaluation, data.reference, data.train)):
        rng = np.random.default_rng(500 + number)
        frames.append(frame.assign(sex=rng.choice(["F", "M"], len(frame))))
    return Datasets(*frames)


def prediction_columns(task: str) -> tuple[str, list[str]]:
    if task == "binary":
        return "prediction", ["probability"]
    if task == "multiclass":
        return "prediction", ["p0", "p1", "p2"]
    return "prediction", []


# --- planted defects: each returns datasets and the (check, subject, metric) it plants ---


def _rows(frame: pd.DataFrame, share: float, rng) -> np.ndarray:
    return rng.choice(len(frame), int(share * len(frame)), replace=False)


def plant(defect: str, data: Datasets, seed: int = 0, *, clean: bool = False):
    """Plant one defect (or, with clean=True, change nothing but keep the same shape)."""
    rng = np.random.default_rng(seed + 1000)
    evaluation = data.evaluation.copy()
    expected: set[tuple[str, str | None, str]] = set()
    if defect == "drift":
        if not clean:
            drifted = population(
                len(evaluation), 7919 + seed, income_scale=1.6, channel_shares=[0.2, 0.3, 0.5]
            )
            evaluation = drifted
        expected = {
            ("drift.columns", "income", "effect_size"),
            ("drift.columns", "channel", "effect_size"),
        }
    elif defect == "leak":
        for frame_name in ("evaluation", "reference", "train"):
            frame = evaluation if frame_name == "evaluation" else getattr(data, frame_name)
            flip = rng.random(len(frame)) < 0.02
            code = np.where(flip, 1 - frame["y"], frame["y"])
            frame["status_code"] = rng.integers(0, 2, len(frame)) if clean else code
        expected = {("data_quality.target_leakage", "status_code", "predictive_power")}
    elif defect == "duplicates":
        if not clean:
            rows = _rows(evaluation, 0.05, rng)
            sources = rng.choice(np.setdiff1d(np.arange(len(evaluation)), rows), len(rows))
            evaluation.iloc[rows] = evaluation.iloc[sources].to_numpy()
        expected = {("data_quality.duplicates", None, "excess_duplicate_row_share")}
    elif defect == "missing":
        if not clean:
            evaluation.loc[_rows(evaluation, 0.2, rng), "score"] = np.nan
        expected = {("data_quality.missing_values", "score", "excess_missing_rate")}
    elif defect == "impossible":
        if not clean:
            evaluation.loc[_rows(evaluation, 0.03, rng), "age"] = -5.0
        expected = {("data_quality.out_of_range", "age", "impossible_value_share")}
    elif defect == "unseen":
        evaluation["region"] = evaluation["region"].astype(object)
        if not clean:
            evaluation.loc[_rows(evaluation, 0.05, rng), "region"] = "atlantis"
        expected = {("data_quality.unseen_categories", "region", "unseen_category_share")}
    elif defect == "overlap":
        if not clean:
            rows = _rows(evaluation, 0.1, rng)
            evaluation.iloc[rows] = data.train.iloc[rows].to_numpy()
        expected = {("data_quality.train_eval_overlap", None, "overlap_share")}
    elif defect == "conflicts":
        if not clean:
            rows = _rows(evaluation, 0.04, rng)
            sources = rng.choice(np.setdiff1d(np.arange(len(evaluation)), rows), len(rows))
            evaluation.iloc[rows] = evaluation.iloc[sources].to_numpy()
            evaluation.loc[evaluation.index[rows], "y"] = 1 - evaluation["y"].iloc[rows]
        expected = {("data_quality.label_conflicts", None, "excess_conflicting_label_share")}
    else:
        raise ValueError(defect)
    evaluation = evaluation.astype(
        data.evaluation.dtypes.to_dict() | ({"region": object} if defect == "unseen" else {})
    )
    return Datasets(evaluation, data.reference, data.train), expected


DEFECTS = ["drift", "leak", "duplicates", "missing", "impossible", "unseen", "overlap", "conflicts"]
