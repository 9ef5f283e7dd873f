"""Model work handed over early: a check that calls the model queues its requests in
`prepare` (the model works while the data checks run) and collects them in `run`."""

import json


def queued(context, check, params, build):
    """The model work a check hands over once (in `prepare`, or in `run` if it was not
    prepared): `build()`'s result, cached for the run."""
    key = ("queued", check.key, json.dumps(params, sort_keys=True, default=str))
    return context.cached(key, build)


def measured_once(context, check, params, measure):
    """A check's measurements for these params, computed once even if two plan items ask."""
    key = ("measured", check.key, json.dumps(params, sort_keys=True, default=str))
    return context.cached(key, measure)
