"""A model version's model card as data: what its team wrote about it (intended use,
owners, limitations…) and what its runs measured. The HTML/PDF card (render/model_card.py)
and the Markdown export (model_card_markdown.py) both draw from `model_card_data`.

Which runs: for each test plan that has an approved version now, the model version's
latest succeeded run of that plan (of any of its versions, as the run page's comparison
reads plans by name). Plans that are only drafts or archived do not speak for the model.

Which findings: those of the project not closed (open, in progress, fix submitted) or
closed by an accepted risk that concern this version: last seen on a run of this version,
or failing in one of the card's runs (the same criterion, check and subject). A finding
last seen on a newer version that also fails here is listed: it is this version's too.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from apps.evaluations.charts.behaviour import fairness_groups
from apps.evaluations.models import CheckResult, EvaluationRun, Outcome, RunStatus
from apps.findings.models import Finding, FindingStatus
from apps.findings.services.sync import finding_fingerprint
from apps.projects.models import MODEL_CARD_FIELDS, Dataset, ModelVersion
from apps.projects.selectors import model_version_owners
from apps.testplans.models import PlanStatus, TestPlan

CARD_FINDING_STATUSES = (
    FindingStatus.OPEN,
    FindingStatus.IN_PROGRESS,
    FindingStatus.FIX_SUBMITTED,
    FindingStatus.RISK_ACCEPTED,
)
FAIRNESS = "fairness"
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def model_card_data(model_version: ModelVersion) -> dict[str, Any]:
    """Everything a model card shows about `model_version`, as plain values (numbers,
    text, lists, dicts; the fairness figures as plotly specs). A handful of queries."""
    version = ModelVersion.objects.select_related("project__development_team", "uploaded_by").get(
        pk=model_version.pk
    )
    plan_names = approved_plan_names(version.project_id)
    runs = card_runs(version, plan_names)
    results = list(
        CheckResult.objects.filter(run__in=runs)
        .select_related("criterion")
        .order_by("run_id", "id")
    )
    by_run: dict[int, list[CheckResult]] = {run.pk: [] for run in runs}
    for result in results:
        by_run[result.run_id].append(result)
    plan_of = {run.pk: f"{run.test_plan.name} v{run.test_plan.version}" for run in runs}
    failing = [result for result in results if result.outcome == Outcome.FAIL]
    per_run = [(by_run[run.pk], plan_of[run.pk]) for run in runs]
    return {
        "project": {
            "name": version.project.name,
            "slug": version.project.slug,
            "risk_level": version.project.get_risk_level_display(),
        },
        "version": _version_facts(version),
        "description": _description(version),
        "plans": plan_names,
        "plans_not_run": [
            name for name in plan_names if name not in {run.test_plan.name for run in runs}
        ],
        "runs": [_run_facts(run) for run in runs],
        "datasets": _datasets(runs),
        "metrics": [row for rows, plan in per_run for row in metric_rows(rows, plan=plan)],
        "fairness": [
            entry for rows, plan in per_run for entry in fairness_entries(rows, plan=plan)
        ],
        "failing_results": [_failing_row(result, plan_of[result.run_id]) for result in failing],
        "findings": card_findings(version, failing),
    }


def approved_plan_names(project_id: int) -> list[str]:
    """The names of the project's plans that have an approved version now."""
    return sorted(
        TestPlan.objects.filter(project_id=project_id, status=PlanStatus.APPROVED)
        .values_list("name", flat=True)
        .distinct()
    )


def card_runs(version: ModelVersion, plan_names: list[str]) -> list[EvaluationRun]:
    """The latest succeeded run of each named plan on this version, in plan-name order."""
    candidates = (
        EvaluationRun.objects.filter(
            model_version_id=version.pk,
            status=RunStatus.SUCCEEDED,
            test_plan__name__in=plan_names,
        )
        .select_related("test_plan", "dataset", "training_dataset", "reference_dataset")
        .order_by("test_plan__name", "-finished_at", "-id")
    )
    latest: dict[str, EvaluationRun] = {}
    for run in candidates:
        latest.setdefault(run.test_plan.name, run)
    return [latest[name] for name in plan_names if name in latest]


def _version_facts(version: ModelVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "sequence": version.sequence,
        "label": version.label,
        "task_type": version.get_task_type_display(),
        "artifact_format": version.get_artifact_format_display(),
        "sha256": version.sha256,
        "size_bytes": version.size_bytes,
        "features": list(version.features or []),
        "uploaded_by": version.uploaded_by.username if version.uploaded_by else "",
        "created_at": version.created_at,
    }


def _description(version: ModelVersion) -> dict[str, str]:
    description = {field: getattr(version, field) for field in MODEL_CARD_FIELDS}
    description["owners"] = model_version_owners(version)
    return description


def _run_facts(run: EvaluationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "plan": run.test_plan.name,
        "plan_version": run.test_plan.version,
        "finished_at": run.finished_at,
        "verdict": run.verdict,
        "verdict_label": run.get_verdict_display() if run.verdict else "",
        "counts": {key: run.summary.get(key, 0) for key in ("pass", "fail", "error", "skipped")},
    }


def _dataset_facts(dataset: Dataset) -> dict[str, Any]:
    return {
        "id": dataset.pk,
        "name": dataset.name,
        "role": dataset.get_role_display(),
        "rows": dataset.row_count,
        "columns": dataset.column_count,
        "sha256": dataset.sha256,
        "target_column": dataset.target_column,
        "sensitive_columns": list(dataset.sensitive_columns or []),
    }


def _datasets(runs: Iterable[EvaluationRun]) -> dict[str, list[dict[str, Any]]]:
    """The training and evaluation datasets the card's runs used, each once."""
    used: dict[str, dict[int, Dataset]] = {"training": {}, "evaluation": {}}
    for run in runs:
        used["evaluation"].setdefault(run.dataset_id, run.dataset)
        if run.training_dataset is not None:
            used["training"].setdefault(run.training_dataset.pk, run.training_dataset)
    return {role: [_dataset_facts(d) for d in found.values()] for role, found in used.items()}


def _interval(result: CheckResult) -> dict[str, Any] | None:
    """The interval of the judged metric (the engine stores only that one's)."""
    interval = result.ci
    if not isinstance(interval, dict) or interval.get("low") is None:
        return None
    return {"low": interval["low"], "high": interval["high"], "level": interval.get("level")}


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _criterion(result: CheckResult) -> str:
    return result.criterion.code if result.criterion is not None else ""


def metric_rows(results: Iterable[CheckResult], *, plan: str) -> list[dict[str, Any]]:
    """One row per judged result outside fairness: its metric's value, interval,
    threshold and outcome."""
    rows = []
    for result in results:
        if result.category == FAIRNESS or not isinstance(result.observed, dict):
            continue
        value = _number(result.observed.get(result.metric)) if result.metric else None
        if value is None:
            continue
        rows.append({
            "plan": plan, "run": result.run_id, "criterion": _criterion(result),
            "check": result.check_key, "category": result.category, "subject": result.subject,
            "metric": result.metric, "value": value, "interval": _interval(result),
            "comparator": result.comparator, "threshold": result.threshold,
            "outcome": result.outcome,
        })  # fmt: skip
    return rows


GROUP_METRICS = (
    "selection_rate", "true_positive_rate", "false_positive_rate", "balanced_accuracy", "mae",
)  # fmt: skip


def fairness_entries(results: Iterable[CheckResult], *, plan: str) -> list[dict[str, Any]]:
    """Per fairness result (one sensitive column or combination): the disparity judged,
    with its interval, each group's rates, and the run page's bar chart of them."""
    entries = []
    for result in results:
        if result.category != FAIRNESS:
            continue
        groups = [group for group in result.evidence.get("groups", []) if isinstance(group, dict)]
        if not groups:
            continue
        observed = result.observed if isinstance(result.observed, dict) else {}
        metrics = [name for name in GROUP_METRICS if any(name in group for group in groups)]
        figures = fairness_groups([result])
        entries.append({
            "plan": plan,
            "run": result.run_id,
            "criterion": _criterion(result),
            "check": result.check_key,
            "subject": result.subject,
            "metric": result.metric,
            "value": _number(observed.get(result.metric)) if result.metric else None,
            "interval": _interval(result),
            "comparator": result.comparator,
            "threshold": result.threshold,
            "outcome": result.outcome,
            "message": result.message,
            "group_metrics": metrics,
            "groups": [
                {"group": str(group.get("group", "")), "rows": group.get("rows"),
                 "judged": bool(group.get("judged")),
                 "values": [_number(group.get(name)) for name in metrics]}
                for group in groups
            ],
            "figure": figures[0] if figures else None,
        })  # fmt: skip
    return entries


def _failing_row(result: CheckResult, plan: str) -> dict[str, Any]:
    observed = result.observed if isinstance(result.observed, dict) else {}
    return {
        "plan": plan,
        "run": result.run_id,
        "criterion": _criterion(result),
        "criterion_name": result.criterion.name if result.criterion is not None else "",
        "check": result.check_key,
        "subject": result.subject,
        "metric": result.metric,
        "value": _number(observed.get(result.metric)) if result.metric else None,
        "comparator": result.comparator,
        "threshold": result.threshold,
        "severity": result.severity,
        "blocking": result.blocking,
        "message": result.message,
    }


def card_findings(version: ModelVersion, failing: Iterable[CheckResult]) -> list[dict[str, Any]]:
    """The project's unresolved (or risk-accepted) findings that concern this version,
    most severe first (see the module's docstring)."""
    fingerprints = {
        finding_fingerprint(
            project_id=version.project_id,
            criterion_id=result.criterion_id,
            check_key=result.check_key,
            subject=result.subject,
        )
        for result in failing
    }
    findings = (
        Finding.objects.filter(project_id=version.project_id, status__in=CARD_FINDING_STATUSES)
        .filter(Q(last_seen_run__model_version_id=version.pk) | Q(fingerprint__in=fingerprints))
        .select_related("assignee", "assigned_team")
        .order_by("id")
    )
    rows = [
        {
            "id": finding.pk,
            "title": finding.title,
            "severity": finding.severity,
            "status": finding.status,
            "status_label": finding.get_status_display(),
            "category": finding.get_category_display(),
            "assignee": finding.assignee.username if finding.assignee else "",
            "team": finding.assigned_team.name if finding.assigned_team else "",
            "due_date": finding.due_date,
            "overdue_days": finding.overdue_days,
            "risk_expires_on": finding.risk_expires_on,
        }
        for finding in findings
    ]
    return sorted(rows, key=lambda row: (SEVERITY_ORDER.get(row["severity"], 9), row["id"]))
