"""Behaviour tests on named features: monotonicity (raising the feature must not lower,
or raise, the score) and invariance (changing the feature must not change the decision,
as a counterfactual test of a sensitive attribute)."""

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.checks.perturbed_copies import decisions
from apps.evaluations.engine.checks.queueing import ModelWorkCheck
from apps.evaluations.engine.checks.robustness import (
    SAMPLE_PARAMS,
    Sample,
    draw_sample,
    queue_copies,
)
from apps.evaluations.engine.context import EvaluationContext, FrameHandle
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.registry import (
    CheckDocs,
    Measurement,
    number,
    register,
    schema,
)
from apps.evaluations.engine.sources import Predictions

_NAMES = {"type": "array", "items": {"type": "string"}, "default": []}


def scores(context: EvaluationContext, predictions: Predictions) -> NDArray[Any]:
    """The score a monotone relation is about: the positive class's probability, or the
    predicted value."""
    if context.task == "regression":
        return np.asarray(predictions.labels, dtype=float)
    positive = int(context.class_index(np.asarray([context.positive_label]))[0])
    if predictions.probabilities is None:
        decided: NDArray[Any] = (context.class_index(predictions.labels) == positive).astype(float)
        return decided
    return predictions.probabilities[:, positive]


def changed_values(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Every value replaced by a different one of the column (a counterfactual)."""
    categories = pd.unique(values.dropna())
    if len(categories) < 2:
        return values
    codes = pd.Index(categories).get_indexer(values)
    shifted = (codes + rng.integers(1, len(categories), len(values))) % len(categories)
    replaced = pd.Series(categories[shifted], index=values.index)
    return replaced.where(codes >= 0, values).astype(values.dtype)


@register
class Behaviour(ModelWorkCheck):
    key = "robustness.behaviour"
    name = "Monotonicity and invariance"
    category = "robustness"
    # once features are named (none are by default): labels, and the model's scores
    # (probabilities) and decisions on the rows it changed
    reads = frozenset({"labels", "predictions", "probabilities"})
    task_types = frozenset({"binary", "regression"})
    params_schema = schema(
        increasing=_NAMES,
        decreasing=_NAMES,
        invariant=_NAMES,
        step=number(0.5, minimum=0.0001, maximum=10.0),
        tolerance=number(0.001, minimum=0.0),
        **SAMPLE_PARAMS,
    )
    metrics = {
        "monotonicity_violation_rate": "Share of rows whose score moves the wrong way when "
        "the subject's feature is raised by `step` standard deviations.",
        "invariance_change_rate": "Share of rows whose decision (label, or value beyond "
        "`tolerance`) changes when the subject's feature takes another of its values.",
    }
    default_metric = "monotonicity_violation_rate"
    docs = CheckDocs(
        what="For each feature named increasing or decreasing, raises it by `step` standard "
        "deviations on a sample of rows and counts the rows whose score moves against the "
        "stated direction; for each feature named invariant, gives every row another of "
        "the column's values and counts the changed decisions.",
        why="Domain rules (more income must not lower a credit score; the applicant's sex "
        "must not change the decision) are requirements a model can break silently while "
        "its aggregate metrics look fine.",
        fix="Constrain the model (monotonic constraints in gradient boosting, monotone "
        "features), or remove the invariant feature and its proxies from the inputs.",
        reference="Ribeiro M. T. et al. (2020), Beyond Accuracy: Behavioral Testing of NLP "
        "Models with CheckList, ACL; Kusner M. et al. (2017), Counterfactual Fairness.",
    )

    def queue(
        self, context: EvaluationContext, params: dict[str, Any]
    ) -> tuple[Sample, FrameHandle, FrameHandle] | str:
        named = params["increasing"] + params["decreasing"] + params["invariant"]
        if not named:
            return "Name the features that must be increasing, decreasing or invariant."
        absent = [name for name in named if name not in context.frame("evaluation").columns]
        if absent:
            raise EngineError(f"The feature(s) {', '.join(absent)} are not in the data.")
        frame = context.frame("evaluation")
        textual = [
            name for name in params["increasing"] + params["decreasing"]
            if not pd.api.types.is_numeric_dtype(frame[name])
            or pd.api.types.is_bool_dtype(frame[name])
        ]  # fmt: skip
        if textual:
            raise EngineError(
                f"Monotonicity needs numeric features; {', '.join(textual)} are not numeric."
            )
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return sample
        rng = np.random.default_rng(params["seed"])
        copies = []
        for name in params["increasing"] + params["decreasing"]:
            copy = sample.frame.copy()
            values = pd.to_numeric(sample.frame[name], errors="coerce")
            copy[name] = values + params["step"] * float(np.nanstd(values))
            copies.append(copy)
        for name in params["invariant"]:
            copy = sample.frame.copy()
            copy[name] = changed_values(sample.frame[name], rng)
            copies.append(copy)
        original = queue_copies(context, [sample.frame])
        return sample, queue_copies(context, copies), original

    def measure(
        self,
        context: EvaluationContext,
        params: dict[str, Any],
        work: tuple[Sample, FrameHandle, FrameHandle],
    ) -> list[Measurement]:
        sample, handle, original_handle = work
        original, perturbed = context.collect_frame(original_handle), context.collect_frame(handle)
        before, after = scores(context, original), scores(context, perturbed)
        decided = decisions(context, original)
        every = decisions(context, perturbed)
        changed = [
            every[start : start + sample.rows] for start in range(0, len(every), sample.rows)
        ]
        measurements: list[Measurement] = []
        tolerance = params["tolerance"]
        monotone = [(n, 1) for n in params["increasing"]] + [(n, -1) for n in params["decreasing"]]
        for position, (name, sign) in enumerate(monotone):
            moved = after[position * sample.rows : (position + 1) * sample.rows] - before
            wrong = sign * moved < -tolerance
            measurements.append(self._result(context, name, "monotonicity_violation_rate",
                                             wrong, sample))  # fmt: skip
        for offset, name in enumerate(params["invariant"], start=len(monotone)):
            if context.task == "regression":
                scale = tolerance * max(float(np.std(decided)), 1e-12)
                flipped = np.abs(changed[offset] - decided) > scale
            else:
                flipped = changed[offset] != decided
            measurements.append(self._result(context, name, "invariance_change_rate",
                                             flipped, sample))  # fmt: skip
        return measurements

    def _result(
        self, context: EvaluationContext, name: str, metric: str, hits: NDArray[Any], sample: Sample
    ) -> Measurement:
        rows = sample.positions[np.flatnonzero(hits)]
        return Measurement(
            name,
            observed={metric: float(hits.mean())},
            evidence={"rows": int(hits.sum()), "tested_rows": sample.rows},
            flagged_rows=[int(row) for row in rows[: context.settings.flagged_rows_limit]],
            sampling=sample.sampling,
        )
