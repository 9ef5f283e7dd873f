"""Data quality: the evaluation data's schema against the model and the training data."""

from typing import Any

from apps.evaluations.engine.context import EvaluationContext
from apps.evaluations.engine.data import BOOLEAN, CATEGORICAL, DATETIME, NUMERIC, TEXT
from apps.evaluations.engine.registry import (
    Check,
    CheckDocs,
    Measurement,
    boolean,
    register,
    schema,
)

_FAMILY = {
    NUMERIC: "number",
    BOOLEAN: "boolean",
    DATETIME: "datetime",
    CATEGORICAL: "text",
    TEXT: "text",
}


@register
class Schema(Check):
    key = "data_quality.schema"
    name = "Schema match"
    needs = "data"
    category = "data_quality"
    reads = frozenset({"reference", "training"})
    params_schema = schema(allow_extra_columns=boolean(True))
    metrics = {
        "schema_mismatch_count": "Missing, retyped (and, if not allowed, unexpected) columns."
    }
    default_metric = "schema_mismatch_count"
    docs = CheckDocs(
        what="Compares the evaluation data's columns and types with the model's feature list "
        "and with the training and reference data.",
        why="A missing or retyped column either fails predictions or silently feeds garbage.",
        fix="Align the export with the model's feature list; fix renamed columns at the "
        "source and cast types explicitly in one shared preprocessing step.",
        reference="Breck E. et al. (2019), Data Validation for Machine Learning, SysML.",
    )

    def run(self, context: EvaluationContext, params: dict[str, Any]) -> list[Measurement]:
        frame = context.frame("evaluation")
        kinds = context.kinds()
        missing = [name for name in context.features if name not in frame.columns]
        retyped, unexpected = [], []
        outputs = {context.target, *getattr(context.source, "columns", ())}
        known = set(context.features) | outputs | set(context.sensitive)
        for role in ("train", "reference"):
            other = context.frame(role)
            if other is None:
                continue
            known |= set(other.columns)
            # A column the model learnt from that the evaluation data lost.
            missing += [
                name for name in other.columns if name not in frame.columns and name not in outputs
            ]
            other_kinds = context.kinds(role)
            for name in context.features:
                if name in other.columns and _FAMILY[kinds[name]] != _FAMILY[other_kinds[name]]:
                    retyped.append(
                        {"column": name, "evaluation": kinds[name], role: other_kinds[name]}
                    )
        if not params["allow_extra_columns"]:
            unexpected = [name for name in frame.columns if name not in known]
        count = len(set(missing)) + len({item["column"] for item in retyped}) + len(unexpected)
        evidence = {
            "missing_columns": sorted(set(missing)),
            "retyped_columns": retyped,
            "unexpected_columns": unexpected,
            "features": context.features,
        }
        problems = [f"{name!r} retyped" for name in sorted({r["column"] for r in retyped})]
        problems += [f"{name!r} missing" for name in sorted(set(missing))]
        problems += [f"{name!r} unexpected" for name in unexpected]
        return [
            Measurement(
                None,
                observed={"schema_mismatch_count": count},
                evidence=evidence,
                note=", ".join(problems[:5]),
            )
        ]
