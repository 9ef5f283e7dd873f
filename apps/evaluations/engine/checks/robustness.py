"""Robustness: how the model's predictions and performance hold when its inputs are
disturbed a little (noise, a small multiplicative shift, swapped categories), when a
feature is taken away (permuted), and when values go missing.

Each perturbation is applied to a random sample of labelled evaluation rows (stated in
the result), and all the perturbed copies go to the model in one call. A prediction
"flips" when a classifier's label changes, or when a regression value moves by more
than a quarter of the predictions' standard deviation.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from apps.evaluations.engine.checks.encoding import split_columns
from apps.evaluations.engine.checks.inputs import labelled_outputs
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    integer,
    number,
    register,
    schema,
)
from apps.evaluations.engine.stats import wilson_interval

_SAMPLE = {"max_rows": integer(2000, minimum=50, maximum=100_000), "seed": integer(0)}
_CURVE = (0.5, 1.0, 2.0, 4.0)  # noise levels of the degradation curve, in noise_scale units


@dataclass
class Sample:
    """Labelled evaluation rows, with the model's original outputs on them."""

    frame: pd.DataFrame
    positions: np.ndarray  # rows of the evaluation data
    truth: np.ndarray  # class positions, or values
    predicted: np.ndarray  # class positions, or values
    sampling: dict | None

    @property
    def rows(self) -> int:
        return len(self.frame)


def draw_sample(context, params) -> Sample | str:
    if not context.has_model:
        return "Robustness checks predict perturbed inputs and need a model, not predictions."
    outputs = labelled_outputs(context)
    if isinstance(outputs, str):
        return outputs
    chosen, sampling = np.arange(len(outputs.rows)), None
    if len(chosen) > params["max_rows"]:
        rng = np.random.default_rng(params["seed"])
        chosen = np.sort(rng.choice(len(chosen), params["max_rows"], replace=False))
        sampling = {
            "method": "random labelled rows",
            "rows": len(chosen),
            "of_rows": len(outputs.rows),
            "seed": params["seed"],
        }
    positions = outputs.rows[chosen]
    frame = context.frame("evaluation").iloc[positions].reset_index(drop=True)
    regression = context.task == "regression"
    truth = outputs.truth if regression else outputs.true_index
    predicted = outputs.predicted if regression else outputs.predicted_index
    return Sample(frame, positions, truth[chosen], predicted[chosen], sampling)


def predict_copies(context, sample: Sample, copies: list[pd.DataFrame]) -> list[np.ndarray]:
    """The model's outputs (class positions or values) on each perturbed copy, from one
    call to the model."""
    stacked = pd.concat(copies, ignore_index=True)
    predictions = context.predict_frame(stacked)
    if context.task == "regression":
        values = np.asarray(predictions.labels, dtype=float)
    else:
        values = context.class_index(predictions.labels)
    return [values[start : start + sample.rows] for start in range(0, len(stacked), sample.rows)]


def compare(context, sample: Sample, outputs: np.ndarray) -> tuple[np.ndarray, float]:
    """Which rows flipped, and the relative drop of the metric (accuracy, or MAE)."""
    if context.task == "regression":
        tolerance = 0.25 * float(np.std(sample.predicted)) or 1e-12
        flipped = ~(np.abs(outputs - sample.predicted) <= tolerance)  # NaN counts as flipped
        before = np.mean(np.abs(sample.predicted - sample.truth))
        after = np.mean(np.abs(np.nan_to_num(outputs, nan=np.inf) - sample.truth))
        return flipped, float((after - before) / before) if before > 0 else 0.0
    flipped = outputs != sample.predicted
    before = np.mean(sample.predicted == sample.truth)
    after = np.mean(outputs == sample.truth)
    return flipped, float((before - after) / before) if before > 0 else 0.0


def perturb(frame, numeric, categorical, rng, *, noise=0.0, shift=0.0, swap=0.0, only=None):
    """A copy of the frame with Gaussian noise (noise times each column's standard deviation),
    a multiplicative shift and a share of categorical values swapped for others drawn
    from the column; `only` limits it to one column. Integer columns stay integers."""
    copy = frame.copy()
    for name in numeric if only is None else [n for n in numeric if n == only]:
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        changed = values * (1 + shift) + rng.normal(0, noise * np.nanstd(values), len(values))
        if pd.api.types.is_integer_dtype(frame[name].dtype):
            changed = np.round(changed).astype(frame[name].dtype)
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


def rate(flipped: np.ndarray) -> tuple[float, dict]:
    count = int(flipped.sum())
    low, high = wilson_interval(count, flipped.size)
    return count / flipped.size, {"low": low, "high": high, "level": 0.95, "method": "Wilson"}


@register
class NoiseRobustness(Check):
    key = "robustness.noise"
    category = "robustness"
    needs = "model"
    params_schema = schema(
        noise_scale=number(0.05, minimum=0.0, maximum=10.0),
        categorical_swap_rate=number(0.0, minimum=0.0, maximum=1.0),
        shift=number(0.05, minimum=0.0, maximum=10.0),
        repeats=integer(3, minimum=1, maximum=20),
        **_SAMPLE,
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

    def run(self, context, params):
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return [Measurement(None, skipped=sample)]
        numeric, categorical = split_columns(context.kinds(), context.features)
        rng = np.random.default_rng(params["seed"])
        noise, swap = params["noise_scale"], params["categorical_swap_rate"]
        copies = [
            perturb(sample.frame, numeric, categorical, rng, noise=noise, swap=swap)
            for _ in range(params["repeats"])
        ]
        curve = [
            perturb(sample.frame, numeric, categorical, rng, noise=noise * level, swap=swap)
            for level in _CURVE
        ]
        shifted = [perturb(sample.frame, numeric, categorical, rng, shift=params["shift"])]
        singles = [name for name in numeric if noise > 0] + [
            name for name in categorical if swap > 0
        ]
        alone = [
            perturb(sample.frame, numeric, categorical, rng, noise=noise, swap=swap, only=name)
            for name in singles
        ]
        outputs = predict_copies(context, sample, copies + curve + shifted + alone)
        compared = [compare(context, sample, output) for output in outputs]
        repeated = compared[: len(copies)]
        on_curve = compared[len(copies) : len(copies) + len(curve)]
        shift_rate = float(compared[len(copies) + len(curve)][0].mean())
        per_feature = compared[len(copies) + len(curve) + 1 :]
        flip_rate, interval = rate(np.concatenate([flips for flips, _ in repeated]))
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
                    "relative_metric_drop": float(np.mean([drop for _, drop in repeated])),
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


@register
class FeatureAblation(Check):
    key = "robustness.ablation"
    category = "robustness"
    needs = "model"
    params_schema = schema(
        strategy={"type": "string", "enum": ["permutation"], "default": "permutation"},
        repeats=integer(3, minimum=1, maximum=20),
        **_SAMPLE,
    )
    metrics = {
        "max_feature_metric_drop": "The largest relative metric drop when one feature is "
        "permuted; the subject is that feature.",
        "metric_drop": "Relative metric drop when the subject's feature is permuted.",
    }
    default_metric = "max_feature_metric_drop"
    docs = CheckDocs(
        what="Permutes one feature at a time across the sample (breaking its link with the "
        "target while keeping its distribution) and measures the relative drop of accuracy "
        "or rise of MAE: permutation importance.",
        why="A model carried by one feature fails completely when that feature is wrong, "
        "missing or drifts; it may also be a leak.",
        fix="Check the dominant feature for leakage first; then make the model use the "
        "others (regularisation, feature dropout) or secure that feature's quality.",
        reference="Breiman L. (2001), Random Forests; scikit-learn permutation importance.",
    )

    def run(self, context, params):
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return [Measurement(None, skipped=sample)]
        rng = np.random.default_rng(params["seed"])
        names = list(context.features)
        copies = []
        for name in names:
            for _ in range(params["repeats"]):
                copy = sample.frame.copy()
                copy[name] = sample.frame[name].to_numpy()[rng.permutation(sample.rows)]
                copies.append(copy)
        outputs = predict_copies(context, sample, copies)
        drops = {}
        repeats = params["repeats"]
        for position, name in enumerate(names):
            repeated = outputs[position * repeats : (position + 1) * repeats]
            drops[name] = float(np.mean([compare(context, sample, out)[1] for out in repeated]))
        strongest = max(drops, key=drops.get)
        return [
            Measurement(
                strongest,
                observed={"max_feature_metric_drop": drops[strongest]},
                evidence={"metric_drop": drops, "perturbed_rows": sample.rows},
                sampling=sample.sampling,
            ),
            *[
                Measurement(name, observed={"metric_drop": drop}, sampling=sample.sampling)
                for name, drop in drops.items()
            ],
        ]


@register
class MissingInputs(Check):
    key = "robustness.missing_inputs"
    category = "robustness"
    needs = "model"
    params_schema = schema(missing_rate=number(0.1, minimum=0.0, maximum=1.0), **_SAMPLE)
    metrics = {
        "failure_rate": "Share of rows with a blanked value on which the model fails (an "
        "error, or a missing or infinite output).",
        "relative_metric_drop": "Relative drop of accuracy or rise of MAE with the blanks.",
    }
    default_metric = "failure_rate"
    docs = CheckDocs(
        what="Blanks `missing_rate` of each feature's values, one feature at a time, and "
        "checks that the model still answers every row, and how much worse it does.",
        why="Real inputs arrive with gaps; a model that raises or returns NaN on a missing "
        "value breaks the service or silently drops cases.",
        fix="Impute inside the model's pipeline (SimpleImputer, or a model that handles "
        "missing values natively) and train with realistic missing values.",
        reference="Breck E. et al. (2017), The ML Test Score: A Rubric for ML Production "
        "Readiness, IEEE Big Data.",
    )

    def run(self, context, params):
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return [Measurement(None, skipped=sample)]
        rng = np.random.default_rng(params["seed"])
        failures, drops, blanked = {}, {}, {}
        for name in context.features:
            copy = sample.frame.copy()
            chosen = rng.random(sample.rows) < params["missing_rate"]
            blanked[name] = int(chosen.sum())
            column = np.array(copy[name], dtype=object)
            column[chosen] = None
            copy[name] = pd.Series(column).astype(sample.frame[name].dtype, errors="ignore")
            try:
                [output] = predict_copies(context, sample, [copy])
            except EngineError as error:
                failures[name] = (blanked[name], str(error))
                continue
            bad = (
                ~np.isfinite(output.astype(float)) if context.task == "regression" else (output < 0)
            )
            failures[name] = (int((bad & chosen).sum()), "")
            drops[name] = compare(context, sample, output)[1]
        failed = sum(count for count, _ in failures.values())
        total = max(sum(blanked.values()), 1)
        errors = {name: text for name, (_, text) in failures.items() if text}
        return [
            Measurement(
                None,
                observed={
                    "failure_rate": failed / total,
                    "relative_metric_drop": float(np.mean(list(drops.values()))) if drops else None,
                },
                evidence={
                    "failures": {n: c for n, (c, _) in failures.items()},
                    "errors": errors,
                    "metric_drop": drops,
                    "blanked_values": blanked,
                },
                sampling=sample.sampling,
                note=f"the model failed with blanks in {', '.join(errors)}" if errors else "",
            )
        ]
