"""Robustness: how the model's predictions and performance hold when its inputs are
disturbed a little (noise, a small multiplicative shift, swapped categories), when a
feature is taken away (permuted), and when values go missing.

Each perturbation is applied to a random sample of labelled evaluation rows (stated in
the result), and the perturbed copies go to the model a part at a time (see
`perturbed_copies`). A prediction "flips" when a classifier's label changes, or when a
regression value moves by more than a quarter of the predictions' standard deviation.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.checks.encoding import split_columns
from apps.evaluations.engine.checks.perturbed_copies import CopyStream
from apps.evaluations.engine.checks.queueing import ModelWorkCheck
from apps.evaluations.engine.context import EvaluationContext, FrameHandle
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.registry import (
    CheckDocs,
    Measurement,
    integer,
    number,
    register,
    schema,
)
from apps.evaluations.engine.stats import wilson_interval

SAMPLE_PARAMS = {"max_rows": integer(2000, minimum=50, maximum=100_000), "seed": integer(0)}
_CURVE = (0.5, 1.0, 2.0, 4.0)  # noise levels of the degradation curve, in noise_scale units


@dataclass
class Sample:
    """Labelled evaluation rows to perturb (chosen from the labels alone, so the model's
    work can be queued before its predictions are in)."""

    frame: pd.DataFrame
    positions: NDArray[Any]  # rows of the evaluation data
    truth: NDArray[Any]  # class positions, or values
    sampling: dict[str, Any] | None
    predicted: NDArray[Any] | None = None  # the model's original outputs, filled in run()

    @property
    def rows(self) -> int:
        return len(self.frame)


def draw_sample(context: EvaluationContext, params: dict[str, Any]) -> Sample | str:
    if not context.has_model:
        return "Robustness checks predict perturbed inputs and need a model, not predictions."
    if not context.has_labels("evaluation"):
        return "The evaluation data has no labels."
    labels = context.labels("evaluation")
    if context.task == "regression":
        truth = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=float)
        rows = np.flatnonzero(np.isfinite(truth))
    else:
        truth = context.class_index(labels.to_numpy())
        rows = np.flatnonzero(labels.notna().to_numpy() & (truth >= 0))
    chosen, sampling = rows, None
    if len(rows) > params["max_rows"]:
        rng = np.random.default_rng(params["seed"])
        chosen = np.sort(rng.choice(rows, params["max_rows"], replace=False))
        sampling = {
            "method": "random labelled rows",
            "rows": len(chosen),
            "of_rows": len(rows),
            "seed": params["seed"],
        }
    if not len(chosen):
        return "No evaluation row has a label the model knows: nothing to perturb."
    frame = context.frame("evaluation").iloc[chosen].reset_index(drop=True)
    return Sample(frame, chosen, truth[chosen], sampling)


def numeric_features(
    context: EvaluationContext, frame: pd.DataFrame
) -> tuple[list[str], list[str]]:
    """(numeric, categorical) features to perturb: numbers only (dates are left alone)."""
    numeric, categorical = split_columns(context.kinds(), context.features)
    types = pd.api.types
    numeric = [
        name for name in numeric
        if types.is_numeric_dtype(frame[name]) and not types.is_bool_dtype(frame[name])
    ]  # fmt: skip
    return numeric, categorical


def queue_copies(context: EvaluationContext, copies: list[pd.DataFrame]) -> FrameHandle:
    """Hand a few perturbed copies to the model in one request."""
    return context.predict_frame_later(pd.concat(copies, ignore_index=True))


def copy_stream(
    context: EvaluationContext,
    sample: Sample,
    copies: Iterable[pd.DataFrame],
    *,
    separately: bool = False,
) -> CopyStream:
    """The sample's perturbed copies, drawn as they are sent, a part at a time."""
    columns = len(sample.frame.columns)
    return CopyStream(context, copies, rows=sample.rows, columns=columns, separately=separately)


def original_outputs(context: EvaluationContext, sample: Sample) -> None:
    """Fill in the model's original outputs (class positions or values) on the sample."""
    original = context.predictions("evaluation")
    if original is None:  # a model predicts every dataset
        raise EngineError("There are no predictions for the evaluation data.")
    labels = np.asarray(original.labels)[sample.positions]
    regression = context.task == "regression"
    sample.predicted = labels.astype(float) if regression else context.class_index(labels)


def compare(
    context: EvaluationContext, sample: Sample, outputs: NDArray[Any]
) -> tuple[NDArray[Any], float | None]:
    """Which rows flipped, and the relative drop of the metric (accuracy, or MAE; None when
    the model answered no row)."""
    predicted = sample.predicted
    if predicted is None:  # `original_outputs` fills it in first
        raise TypeError("the sample's original outputs are not in")
    if context.task == "regression":
        tolerance = 0.25 * float(np.std(predicted)) or 1e-12
        flipped = ~(np.abs(outputs - predicted) <= tolerance)  # NaN counts as flipped
        # The error on the rows the model still answered; the others count as flips
        answered = np.isfinite(outputs)
        if not answered.any():
            return flipped, None
        before = np.mean(np.abs(predicted[answered] - sample.truth[answered]))
        after = np.mean(np.abs(outputs[answered] - sample.truth[answered]))
        return flipped, float((after - before) / before) if before > 0 else 0.0
    flipped = outputs != predicted
    before = np.mean(predicted == sample.truth)
    after = np.mean(outputs == sample.truth)
    return flipped, float((before - after) / before) if before > 0 else 0.0


def mean_drop(drops: Iterable[float | None]) -> float | None:
    """The mean of the drops that could be measured (None when the model answered no row)."""
    measured = [drop for drop in drops if drop is not None]
    return float(np.mean(measured)) if measured else None


def perturb(
    frame: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    rng: np.random.Generator,
    *,
    noise: float = 0.0,
    shift: float = 0.0,
    swap: float = 0.0,
    only: str | None = None,
) -> pd.DataFrame:
    """A copy of the frame with Gaussian noise (noise times each column's standard deviation),
    a multiplicative shift and a share of categorical values swapped for others drawn
    from the column; `only` limits it to one column. Integer columns stay integers."""
    copy = frame.copy()
    for name in numeric if only is None else [n for n in numeric if n == only]:
        values = pd.to_numeric(frame[name], errors="coerce").astype("float64").to_numpy()
        changed = values * (1 + shift) + rng.normal(0, noise * np.nanstd(values), len(values))
        dtype = frame[name].dtype
        if pd.api.types.is_integer_dtype(dtype):  # stays an integer within its type's range
            limits = np.iinfo(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype)
            changed = pd.array(np.clip(np.round(changed), limits.min, limits.max)).astype(dtype)
        copy[name] = changed
    if swap > 0:
        for name in categorical if only is None else [n for n in categorical if n == only]:
            chosen = rng.random(len(frame)) < swap
            pool = frame[name].dropna().to_numpy()
            if chosen.any() and len(pool):
                column = np.array(copy[name], dtype=object)
                column[chosen] = rng.choice(pool, chosen.sum())
                copy[name] = pd.Series(column, index=copy.index).astype(frame[name].dtype)
    return copy


def rate(flipped: NDArray[Any]) -> tuple[float, dict[str, Any]]:
    """The flip rate and its 95% interval. With repeats (one row of flips per repeat) the
    interval is over rows, since a row's repeats are not independent of each other."""
    if flipped.ndim == 1:
        count = int(flipped.sum())
        low, high = wilson_interval(count, flipped.size)
        return count / flipped.size, {"low": low, "high": high, "level": 0.95, "method": "Wilson"}
    per_row = flipped.mean(axis=0)
    value, spread = float(per_row.mean()), float(per_row.std(ddof=1) / np.sqrt(len(per_row)))
    interval = {"low": max(0.0, value - 1.96 * spread), "high": min(1.0, value + 1.96 * spread),
                "level": 0.95, "method": "normal, over rows"}  # fmt: skip
    return value, interval


def noise_copies(
    frame: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    singles: list[str],
    params: dict[str, Any],
) -> Iterator[pd.DataFrame]:
    """The noise check's copies, one at a time, from one seeded generator: the repeats, the
    degradation curve, the shift, then one per feature of `singles`."""
    rng = np.random.default_rng(params["seed"])
    noise, swap = params["noise_scale"], params["categorical_swap_rate"]
    for _ in range(params["repeats"]):
        yield perturb(frame, numeric, categorical, rng, noise=noise, swap=swap)
    for level in _CURVE:
        yield perturb(frame, numeric, categorical, rng, noise=noise * level, swap=swap)
    yield perturb(frame, numeric, categorical, rng, shift=params["shift"])
    for name in singles:
        yield perturb(frame, numeric, categorical, rng, noise=noise, swap=swap, only=name)


@register
class NoiseRobustness(ModelWorkCheck):
    key = "robustness.noise"
    name = "Robustness to noise"
    category = "robustness"
    reads = frozenset({"labels", "predictions"})
    params_schema = schema(
        noise_scale=number(0.05, minimum=0.0, maximum=10.0),
        categorical_swap_rate=number(0.0, minimum=0.0, maximum=1.0),
        shift=number(0.05, minimum=0.0, maximum=10.0),
        repeats=integer(3, minimum=1, maximum=20),
        **SAMPLE_PARAMS,
    )
    metrics = {
        "prediction_flip_rate": "Share of predictions that change under the noise (the whole "
        "input, or only the subject's column).",
        "relative_metric_drop": "Relative drop of accuracy (classification) or rise of MAE "
        "(regression) under the noise.",
        "shift_flip_rate": "Share of predictions that change when every numeric feature is "
        "multiplied by 1 + shift.",
    }
    default_metric = "prediction_flip_rate"
    docs = CheckDocs(
        what="Adds Gaussian noise of `noise_scale` standard deviations to every numeric "
        "feature (and swaps `categorical_swap_rate` of categorical values), repeatedly, on a "
        "sample of rows; then one feature at a time; and a small multiplicative shift. "
        "Reports the prediction flip rate and the metric drop, with a degradation curve.",
        why="Inputs in production carry measurement noise and rounding; a model whose "
        "decisions change under noise of that size is fragile and hard to trust.",
        fix="Look at the features with the highest flip rate: the model depends on them too "
        "sharply. Regularise, smooth or bin them, add noise as augmentation in training, or "
        "check that their measurement is reliable enough to carry the decision.",
        reference="ISO/IEC TR 24029-1:2021, Assessment of the robustness of neural networks; "
        "Breck E. et al. (2017), The ML Test Score.",
    )

    def queue(
        self, context: EvaluationContext, params: dict[str, Any]
    ) -> tuple[Sample, list[str], CopyStream] | str:
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return sample
        numeric, categorical = numeric_features(context, sample.frame)
        singles = [name for name in numeric if params["noise_scale"] > 0]
        singles += [name for name in categorical if params["categorical_swap_rate"] > 0]
        copies = noise_copies(sample.frame, numeric, categorical, singles, params)
        return sample, singles, copy_stream(context, sample, copies)

    def measure(
        self,
        context: EvaluationContext,
        params: dict[str, Any],
        work: tuple[Sample, list[str], CopyStream],
    ) -> list[Measurement]:
        sample, singles, stream = work
        outputs = stream.outputs()
        original_outputs(context, sample)
        noise, copies = params["noise_scale"], range(params["repeats"])
        compared = [compare(context, sample, output) for output in outputs]
        repeated = compared[: len(copies)]
        on_curve = compared[len(copies) : len(copies) + len(_CURVE)]
        shift_rate = float(compared[len(copies) + len(_CURVE)][0].mean())
        per_feature = compared[len(copies) + len(_CURVE) + 1 :]
        flip_rate, interval = rate(np.vstack([flips for flips, _ in repeated]))
        evidence = {
            "curve": [
                {
                    "noise_scale": noise * level,
                    "prediction_flip_rate": float(flips.mean()),
                    "relative_metric_drop": drop,
                }
                for level, (flips, drop) in zip(_CURVE, on_curve, strict=True)
            ],
            "per_feature": {
                name: float(flips.mean())
                for name, (flips, _) in zip(singles, per_feature, strict=True)
            },
            "perturbed_rows": sample.rows,
        }
        flagged = sample.positions[np.flatnonzero(repeated[0][0])]
        measurements = [
            Measurement(
                None,
                observed={
                    "prediction_flip_rate": flip_rate,
                    "relative_metric_drop": mean_drop(drop for _, drop in repeated),
                    "shift_flip_rate": shift_rate,
                },
                ci={"prediction_flip_rate": interval},
                evidence=evidence,
                flagged_rows=[int(row) for row in flagged[: context.settings.flagged_rows_limit]],
                sampling=sample.sampling,
            )
        ]
        for name, (flips, drop) in zip(singles, per_feature, strict=True):
            value, per_interval = rate(flips)
            measurements.append(
                Measurement(
                    name,
                    observed={"prediction_flip_rate": value, "relative_metric_drop": drop},
                    ci={"prediction_flip_rate": per_interval},
                    sampling=sample.sampling,
                    note="only this feature perturbed",
                )
            )
        return measurements
