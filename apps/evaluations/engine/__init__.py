"""Qualiti's evaluation engine: a plain Python package, no Django, no Celery.

It takes a model (run in a sandboxed child process), datasets and a plan (a list of check
specs) and returns one result per check and subject:

    from apps.evaluations import engine

    with engine.ModelSandbox("model.skops") as model:
        context = engine.EvaluationContext(
            evaluation=engine.read_table("eval.csv"), target="y", source=model
        )
        report = engine.evaluate(context, engine.default_plan(context.task))
    [result.to_dict() for result in report.results]

Names are imported lazily, so the sandboxed model process (which imports a submodule)
does not pay for scikit-learn and scipy unless the model needs them.
"""

import importlib
import os
from typing import Any

# Arrow's buffers (the frames' numbers and categories) from the C library's allocator rather
# than the mimalloc pyarrow bundles, which kept the Parquet decoder's freed pages: the peak
# of a million-row run fell from 726 to 671 MB (three runs each, bench/). pyarrow reads the
# variable when it is imported (pandas imports it), so it is set here, before any submodule
# imports either; the model's process inherits it, and a value set by the operator wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

_EXPORTS = {
    "CheckResult": "results",
    "ColumnPredictions": "sources",
    "METRIC_NAMES": "names",
    "EngineError": "errors",
    "EngineSettings": "context",
    "EvaluationContext": "context",
    "EvaluationReport": "evaluation",
    "ModelCrashed": "errors",
    "ModelSandbox": "runner",
    "PlanError": "errors",
    "PlanItem": "plan",
    "Predictions": "sources",
    "READS": "registry",
    "SandboxLimits": "child_process",
    "check_name": "registry",
    "default_plan": "defaults",
    "evaluate": "evaluation",
    "get_check": "registry",
    "in_turn": "evaluation",
    "metric_name": "names",
    "threshold_out_of_range": "names",
    "plan_load": "plan",
    "plan_parse": "plan",
    "prepare_model_work": "evaluation",
    "read_table": "data",
    "registered_checks": "registry",
    "run_order": "evaluation",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
