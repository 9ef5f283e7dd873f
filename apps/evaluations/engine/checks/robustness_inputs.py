"""Robustness to losing inputs: a feature permuted (ablation), values blanked."""

from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from apps.evaluations.engine.checks.perturbed_copies import CopyStream
from apps.evaluations.engine.checks.queueing import ModelWorkCheck
from apps.evaluations.engine.checks.robustness import (
    SAMPLE_PARAMS,
    Sample,
    compare,
    copy_stream,
    draw_sample,
    mean_drop,
    original_outputs,
)
from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.errors import EngineError
from apps.evaluations.engine.registry import (
    CheckDocs,
    Measurement,
    integer,
    number,
    register,
    schema,
)

# Per feature: the rows whose value is blanked (the copy is made again when it is sent).
Blanks = dict[str, NDArray[np.bool_]]


def permuted_copies(
    sample: Sample, features: list[str], repeats: int, rng: np.random.Generator
) -> Iterator[pd.DataFrame]:
    """`repeats` copies per feature, each with that feature's values shuffled."""
    for name in features:
        for _ in range(repeats):
            copy = sample.frame.copy()
            permuted = sample.frame[name].iloc[rng.permutation(sample.rows)]
            copy[name] = permuted.reset_index(drop=True)  # keeps the column's type
            yield copy


def blanked(sample: Sample, name: str, chosen: NDArray[np.bool_]) -> pd.DataFrame:
    """The sample's chosen rows with one feature blanked (its own missing value). Only
    these rows change: the others keep the outputs the model gave them, since a model's
    output on a row does not depend on the other rows it is sent with (as every
    robustness check assumes, comparing with the evaluation data's predictions)."""
    copy = sample.frame.iloc[np.flatnonzero(chosen)].reset_index(drop=True)
    copy[name] = copy[name].mask(np.ones(len(copy), dtype=bool))
    return copy


def with_blanks(
    sample: Sample, chosen: NDArray[np.bool_], answer: NDArray[Any] | None
) -> NDArray[Any]:
    """The outputs on the whole sample: the model's original ones, and its `answer` on the
    chosen rows (None: nothing was blanked)."""
    if sample.predicted is None:  # `original_outputs` fills it in first
        raise TypeError("the sample's original outputs are not in")
    outputs = np.array(sample.predicted, copy=True)
    if answer is not None:
        outputs[chosen] = answer
    return outputs


@register
class FeatureAblation(ModelWorkCheck):
    key = "robustness.ablation"
    name = "Feature ablation"
    category = "robustness"
    reads = frozenset({"labels", "predictions"})
    params_schema = schema(
        strategy={"type": "string", "enum": ["permutation"], "default": "permutation"},
        repeats=integer(3, minimum=1, maximum=20),
        **SAMPLE_PARAMS,
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

    def queue(
        self, context: EvaluationContext, params: dict[str, Any]
    ) -> tuple[Sample, CopyStream] | str:
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return sample
        rng = np.random.default_rng(params["seed"])
        copies = permuted_copies(sample, context.features, params["repeats"], rng)
        return sample, copy_stream(context, sample, copies)

    def measure(
        self, context: EvaluationContext, params: dict[str, Any], work: tuple[Sample, CopyStream]
    ) -> list[Measurement]:
        sample, stream = work
        outputs = stream.outputs()
        original_outputs(context, sample)
        repeats, drops = params["repeats"], {}
        for position, name in enumerate(context.features):
            repeated = outputs[position * repeats : (position + 1) * repeats]
            drops[name] = mean_drop(compare(context, sample, out)[1] for out in repeated)
        measured = {name: drop for name, drop in drops.items() if drop is not None}
        if not measured:
            return [Measurement(None, skipped="The model answered none of the permuted rows.")]
        strongest = max(measured, key=measured.__getitem__)
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
class MissingInputs(ModelWorkCheck):
    key = "robustness.missing_inputs"
    name = "Robustness to missing inputs"
    category = "robustness"
    reads = frozenset({"labels", "predictions"})
    params_schema = schema(missing_rate=number(0.1, minimum=0.0, maximum=1.0), **SAMPLE_PARAMS)
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

    def queue(self, context: EvaluationContext, params: dict[str, Any]) -> "BlankedCopies | str":
        sample = draw_sample(context, params)
        if isinstance(sample, str):
            return sample
        rng = np.random.default_rng(params["seed"])
        blanks = {
            name: rng.random(sample.rows) < params["missing_rate"] for name in context.features
        }
        return BlankedCopies(context, sample, blanks)

    def measure(
        self, context: EvaluationContext, params: dict[str, Any], work: "BlankedCopies"
    ) -> list[Measurement]:
        sample, blanks = work.sample, work.blanks
        answers = work.answers()
        original_outputs(context, sample)
        failures, drops, errors = {}, {}, {}
        for name, chosen in blanks.items():
            answer = answers.get(name)  # None: no value of this feature was blanked
            if isinstance(answer, EngineError):
                failures[name], errors[name] = int(chosen.sum()), str(answer)
                continue
            output = with_blanks(sample, chosen, answer)
            regression = context.task == "regression"
            bad = ~np.isfinite(output.astype(float)) if regression else output < 0
            failures[name] = int((bad & chosen).sum())
            drops[name] = compare(context, sample, output)[1]
        counts = {name: int(chosen.sum()) for name, chosen in blanks.items()}
        return [
            Measurement(
                None,
                observed={
                    "failure_rate": sum(failures.values()) / max(sum(counts.values()), 1),
                    "relative_metric_drop": float(np.mean(list(drops.values()))) if drops else None,
                },
                evidence={
                    "failures": failures,
                    "errors": errors,
                    "metric_drop": drops,
                    "blanked_values": counts,
                },
                sampling=sample.sampling,
                note=f"the model failed with blanks in {', '.join(errors)}" if errors else "",
            )
        ]


class BlankedCopies:
    """Each feature's chosen rows with its value blanked, one copy per feature (none for a
    feature with no row chosen): all the copies in one stream; if the model fails on it,
    each copy on its own (sent between checks, as soon as the failure is in) to find which
    blanks break it."""

    def __init__(self, context: EvaluationContext, sample: Sample, blanks: Blanks) -> None:
        self.context, self.sample, self.blanks = context, sample, blanks
        self.sent = [name for name, chosen in blanks.items() if chosen.any()]
        self.together = copy_stream(context, sample, self._copies())
        self.separate: CopyStream | None = None
        context.between_checks(self._advance)

    def answers(self) -> dict[str, NDArray[Any] | EngineError]:
        """Per feature sent, the model's outputs on its blanked rows, or the error it met
        there."""
        try:
            return dict(zip(self.sent, self.together.outputs(), strict=True))
        except EngineError:
            self._advance()
            separate = cast(CopyStream, self.separate)
            return dict(zip(self.sent, separate.answers(), strict=True))

    def _advance(self) -> None:
        if self.separate is None and self.together.failed:
            self.separate = copy_stream(self.context, self.sample, self._copies(), separately=True)

    def _copies(self) -> Iterator[pd.DataFrame]:
        return (blanked(self.sample, name, self.blanks[name]) for name in self.sent)
