"""What a run report was made from, as hashes: the model's and each dataset's sha256, the
plan version's checks and the run's results, each as canonical JSON and its sha256. A
signed report stores these (Report.inputs), so anyone can tell later whether the report
still describes the same model, data, plan and results."""

import hashlib
import json
from typing import Any

from apps.evaluations.models import CheckResult, EvaluationRun
from apps.testplans.models import PlanCheck


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: keys sorted, no spaces (what the hashes are of)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def plan_checks_document(run: EvaluationRun) -> list[dict[str, Any]]:
    """The plan version's checks as data: criterion, check, parameters, dataset roles and
    the judgement frozen at approval."""
    checks = PlanCheck.objects.filter(plan_id=run.test_plan_id).select_related("criterion")
    return [
        {
            "id": check.pk,
            "criterion": check.criterion.code,
            "check_key": check.check_key,
            "params": check.params,
            "dataset_roles": check.dataset_roles,
            "judgement": check.criterion_snapshot,
            "position": check.position,
        }
        for check in checks.order_by("position", "id")
    ]


def results_document(run: EvaluationRun) -> list[dict[str, Any]]:
    """The run's results as data, in a stable order (by id)."""
    results = CheckResult.objects.filter(run_id=run.pk).select_related("criterion")
    return [
        {
            "id": result.pk,
            "plan_check": result.plan_check_id,
            "criterion": result.criterion.code if result.criterion is not None else None,
            "check_key": result.check_key,
            "category": result.category,
            "subject": result.subject,
            "outcome": result.outcome,
            "metric": result.metric,
            "observed": result.observed,
            "comparator": result.comparator,
            "threshold": result.threshold,
            "ci": result.ci,
            "severity": result.severity,
            "blocking": result.blocking,
            "sampling": result.sampling,
        }
        for result in results.order_by("id")
    ]


def run_report_inputs(run: EvaluationRun) -> dict[str, Any]:
    """The sha256 of every input of a run report: model, datasets, plan version, results
    (the last two hashed as canonical JSON)."""
    datasets = [
        ("evaluation", run.dataset),
        ("reference", run.reference_dataset),
        ("train", run.training_dataset),
    ]
    plan = canonical_json(plan_checks_document(run))
    results = canonical_json(results_document(run))
    return {
        "run": run.pk,
        "model_version": {
            "id": run.model_version_id,
            "label": run.model_version.label,
            "sha256": run.model_version.sha256,
        },
        "datasets": [
            {"role": role, "id": dataset.pk, "name": dataset.name, "sha256": dataset.sha256}
            for role, dataset in datasets
            if dataset is not None
        ],
        "plan": {
            "id": run.test_plan_id,
            "name": run.test_plan.name,
            "version": run.test_plan.version,
            "sha256": sha256_hex(plan),
        },
        "results": {"count": run.results.count(), "sha256": sha256_hex(results)},
    }
