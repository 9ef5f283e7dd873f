"""Model work handed over early: a check that calls the model queues its requests in
`prepare` (the model works while the data checks run) and collects them in `run`.

A check that times the model (`alone`) hands its work over only in `run` and waits for it
there: the checks run one after another in one thread, so none of them works beside the
timing, and the model's process answers its requests in order, so the timing starts after
the work queued before it is done."""

import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.registry import Check, Measurement

T = TypeVar("T")


def queued(
    context: EvaluationContext, check: Check, params: dict[str, Any], build: Callable[[], T]
) -> T:
    """The model work a check hands over once (in `prepare`, or in `run` if it was not
    prepared): `build()`'s result, cached for the run."""
    key = ("queued", check.key, json.dumps(params, sort_keys=True, default=str))
    return context.cached(key, build)


def measured_once(
    context: EvaluationContext,
    check: Check,
    params: dict[str, Any],
    measure: Callable[[], list[Measurement]],
) -> list[Measurement]:
    """A check's measurements for these params, computed once even if two plan items ask."""
    key = ("measured", check.key, json.dumps(params, sort_keys=True, default=str))
    return context.cached(key, measure)


class ModelWorkCheck(Check):
    """A check that calls the model: `queue` hands it the work (or returns why there is
    none), `measure` reads the finished work."""

    needs = "model"
    alone: ClassVar[bool] = False  # queued in `run`, with nothing of ours running beside it

    # The work is whatever the check hands over (Any: it differs per check), or a string
    # saying why there is none.
    def queue(self, context: EvaluationContext, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    def measure(
        self, context: EvaluationContext, params: dict[str, Any], work: Any
    ) -> list[Measurement]:
        raise NotImplementedError

    def prepare(self, context: EvaluationContext, params: dict[str, Any]) -> None:
        if self.alone:
            return
        queued(context, self, params, lambda: self.queue(context, params))

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        def compute() -> list[Measurement]:
            work = queued(context, self, params, lambda: self.queue(context, params))
            if isinstance(work, str):
                return [Measurement(None, skipped=work)]
            return self.measure(context, params, work)

        return measured_once(context, self, params, compute)
