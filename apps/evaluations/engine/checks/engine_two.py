"""Checks of "Evaluation engine II" (robustness, fairness, weak segments, anomalies,
efficiency), registered with their documentation so plans can name them; until they are
built, each reports "skipped" with that reason rather than a silent pass."""

from apps.evaluations.engine.registry import Check, CheckDocs, Measurement, register

_PLANNED = {
    "robustness.noise": ("robustness", None, ["prediction_flip_rate", "relative_metric_drop"]),
    "robustness.ablation": ("robustness", None, ["max_feature_metric_drop"]),
    "robustness.missing_inputs": ("robustness", None, ["failure_rate", "relative_metric_drop"]),
    "efficiency.latency": (
        "efficiency",
        None,
        ["p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "p99_to_p50_latency_ratio"],
    ),
    "efficiency.throughput": ("efficiency", None, ["rows_per_second"]),
    "efficiency.memory": ("efficiency", None, ["peak_memory_mb"]),
    "efficiency.model_size": ("efficiency", None, ["artifact_size_mb"]),
}


def _planned_check(key: str, category: str, tasks, metric_names: list[str]) -> type[Check]:
    class Planned(Check):
        implemented = False
        params_schema = {"type": "object", "properties": {}, "additionalProperties": True}
        metrics = {name: "Planned for Evaluation engine II." for name in metric_names}
        default_metric = metric_names[0]
        docs = CheckDocs(what="Planned for Evaluation engine II.", why="", fix="", reference="")

        def run(self, context, params):
            return [
                Measurement(
                    None, skipped=f"{self.key} is not implemented yet (Evaluation engine II)."
                )
            ]

        def params_with_defaults(self, params):
            return dict(params or {})  # the schema is not settled yet: accept any

    Planned.key = key
    Planned.category = category
    if tasks is not None:
        Planned.task_types = tasks
    Planned.__name__ = Planned.__qualname__ = "Planned_" + key.replace(".", "_")
    return Planned


for _key, (_category, _tasks, _metrics) in _PLANNED.items():
    register(_planned_check(_key, _category, _tasks, _metrics))
