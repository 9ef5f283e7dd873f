"""Model work handed over early: a check that calls the model queues its requests in
`prepare` (the model works while the data checks run) and collects them in `run`."""

import json

from apps.evaluations.engine.registry import Check, Measurement


def queued(context, check, params, build):
    """The model work a check hands over once (in `prepare`, or in `run` if it was not
    prepared): `build()`'s result, cached for the run."""
    key = ("queued", check.key, json.dumps(params, sort_keys=True, default=str))
    return context.cached(key, build)


def measured_once(context, check, params, measure):
    """A check's measurements for these params, computed once even if two plan items ask."""
    key = ("measured", check.key, json.dumps(params, sort_keys=True, default=str))
    return context.cached(key, measure)


class ModelWorkCheck(Check):
    """A check that calls the model: `queue` hands it the work (or returns why there is
    none), `measure` reads the finished work."""

    needs = "model"

    def queue(self, context, params):
        raise NotImplementedError

    def measure(self, context, params, work) -> list[Measurement]:
        raise NotImplementedError

    def prepare(self, context, params):
        queued(context, self, params, lambda: self.queue(context, params))

    def run(self, context, params):
        def compute():
            work = queued(context, self, params, lambda: self.queue(context, params))
            if isinstance(work, str):
                return [Measurement(None, skipped=work)]
            return self.measure(context, params, work)

        return measured_once(context, self, params, compute)
