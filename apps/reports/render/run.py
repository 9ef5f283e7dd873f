"""The run report: summary, scope, the quality manager's analysis, tests performed,
results by category with the run page's charts, findings and corrective actions, and an
appendix of methods, sampling and software versions."""

from typing import Any

from django.template.defaultfilters import filesizeformat

from apps.criteria.models import Category
from apps.evaluations.charts import run_figures
from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.evaluations.result_tables import anomaly_rows, weak_segment_rows
from apps.evaluations.selectors import run_comparison
from apps.findings.models import Finding
from apps.findings.selectors import findings_of_failed_results
from apps.findings.templatetags.markdown_filters import markdown_to_safe_html
from apps.reports.models import Report, ReportKind
from apps.reports.render import renderer_register
from apps.reports.render.appendix import check_methods, sampling_rows, software_versions
from apps.reports.render.words import interval_text, observed_value, value_text
from apps.reports.selectors_signing import report_analysis
from apps.standards.selectors import project_framework_coverage
from apps.testplans.models import PlanCheck

TEMPLATE = "reports/run_report.html"
_ORDER = {"fail": 0, "error": 1, "pass": 2, "skipped": 3}
# Which of the run page's figures belong to which category; distributions are drift's.
CATEGORY_FIGURES = {
    "performance": ["confusion", "roc", "precision_recall"],
    "calibration": ["calibration"],
    "robustness": ["robustness"],
    "drift": ["drift"],
    "anomaly": ["anomalies"],
    "efficiency": ["latency"],
}
MAX_DISTRIBUTIONS = 6  # the drifted features' distributions drawn in the report


def _run_with_relations(run_id: int) -> EvaluationRun:
    return EvaluationRun.objects.select_related(
        "project",
        "test_plan",
        "test_plan__approved_by",
        "model_version",
        "model_version__uploaded_by",
        "dataset",
        "reference_dataset",
        "training_dataset",
        "created_by",
    ).get(pk=run_id)


def verdict_words(run: EvaluationRun) -> str:
    """ "Pass", "Pass with warnings" or "Fail"; for a run that did not succeed, why."""
    if run.status == RunStatus.SUCCEEDED and run.verdict:
        return run.get_verdict_display()
    return f"No verdict: the run {run.get_status_display().lower()}"


def _result_row(result: CheckResult) -> dict[str, Any]:
    return {
        "result": result,
        "criterion": result.criterion.code if result.criterion is not None else "",
        "observed": value_text(observed_value(result)),
        "interval": interval_text(result.ci),
        "threshold": (
            f"{result.comparator} {value_text(result.threshold)}"
            if result.threshold is not None
            else ""
        ),
    }


def _figures_by_category(results: list[CheckResult]) -> tuple[dict[str, Any], dict[str, list]]:
    """The run page's figures, flat by name, and the names each category draws."""
    drawn = run_figures(results)
    figures: dict[str, Any] = {}
    names: dict[str, list[str]] = {}
    for category, wanted in CATEGORY_FIGURES.items():
        for name in wanted:
            if name in drawn:
                figures[name] = drawn[name]
                names.setdefault(category, []).append(name)
    for number, figure in enumerate(drawn.get("fairness", []), start=1):
        figures[f"fairness-{number}"] = figure
        names.setdefault("fairness", []).append(f"fairness-{number}")
    # In the run page's order: failing features first, then by effect size.
    distributions = [name for name in drawn if name.startswith("distribution-")]
    for name in distributions[:MAX_DISTRIBUTIONS]:
        figures[name] = drawn[name]
        names.setdefault("drift", []).append(name)
    return figures, names


# The order: how the model does, then its data, then how fair and robust it is.
CATEGORY_ORDER = (
    Category.PERFORMANCE,
    Category.CALIBRATION,
    Category.DATA_QUALITY,
    Category.DRIFT,
    Category.FAIRNESS,
    Category.WEAK_SEGMENT,
    Category.ROBUSTNESS,
    Category.ANOMALY,
    Category.EFFICIENCY,
)


def _categories(results: list[CheckResult], figure_names: dict[str, list]) -> list[dict]:
    sections = []
    for category in CATEGORY_ORDER:
        label = category.label
        rows = [_result_row(result) for result in results if result.category == category]
        if not rows and not figure_names.get(category):
            continue
        sections.append({
            "key": category,
            "label": label,
            "rows": rows,
            "figures": figure_names.get(category, []),
            "failed": sum(1 for row in rows if row["result"].outcome == "fail"),
        })  # fmt: skip
    return sections


def _changed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The comparison's rows whose metric moved or whose outcome changed."""
    return [
        row
        for row in rows
        if (row["delta"] is not None and abs(row["delta"]) > 1e-9)
        or (row["outcome"] != row["previous_outcome"] and row["previous_outcome"] is not None)
    ]


def _plan_checks(run: EvaluationRun) -> list[dict[str, Any]]:
    """Every check of the plan with the judgement it was approved with (the criterion's
    own fields for a plan approved before judgements were frozen)."""
    rows = []
    checks = PlanCheck.objects.filter(plan_id=run.test_plan_id).select_related("criterion")
    for check in checks.order_by("position", "id"):
        criterion = check.criterion
        frozen = check.criterion_snapshot or {}
        rows.append({
            "code": criterion.code,
            "name": criterion.name,
            "check_key": check.check_key,
            "metric": frozen.get("metric", criterion.metric),
            "comparator": frozen.get("comparator", criterion.comparator),
            "threshold": value_text(frozen.get("threshold", criterion.threshold)),
            "severity": frozen.get("severity", criterion.severity),
            "blocking": frozen.get("blocking", criterion.blocking),
        })  # fmt: skip
    return rows


def _findings(run: EvaluationRun, results: list[CheckResult]) -> list[Finding]:
    by_result = findings_of_failed_results(run=run, results=results)
    ids = {finding.pk for finding in by_result.values()}
    return list(
        Finding.objects.filter(pk__in=ids)
        .select_related("assignee", "assigned_team", "criterion")
        .prefetch_related("actions__owner")
        .order_by("due_date", "id")
    )


def run_report_context(report: Report) -> tuple[str, dict[str, Any]]:
    """The run report's template and context."""
    run = _run_with_relations(report.run_id or 0)
    results = sorted(
        run.results.select_related("criterion"),
        key=lambda result: (_ORDER.get(result.outcome, 9), result.check_key, result.subject),
    )
    figures, figure_names = _figures_by_category(results)
    comparison = run_comparison(run=run)
    analysis = report_analysis(report)  # a signed report's frozen copy
    datasets = [
        dataset
        for dataset in (run.dataset, run.reference_dataset, run.training_dataset)
        if dataset is not None
    ]
    model_version = run.model_version
    size = model_version.size_bytes
    context = {
        "run": run,
        "project": run.project,
        "model_version": model_version,
        "model_size": f"{filesizeformat(size)} ({size} bytes)",
        "datasets": datasets,
        "verdict": verdict_words(run),
        "counts": {key: run.summary.get(key, 0) for key in ("pass", "fail", "error", "skipped")},
        "blocking_failures": [
            _result_row(result)
            for result in results
            if result.outcome == "fail" and result.blocking
        ],
        "other_failures": [
            _result_row(result)
            for result in results
            if result.outcome == "fail" and not result.blocking
        ],
        "comparison": comparison,
        "metric_changes": _changed(comparison["checks"]),
        "unchanged": sum(1 for row in comparison["checks"] if row not in _changed([row])),
        "analysis": analysis,
        "analysis_html": markdown_to_safe_html(analysis.text) if analysis else "",
        "conditions_html": markdown_to_safe_html(analysis.conditions) if analysis else "",
        "plan_checks": _plan_checks(run),
        "categories": _categories(results, figure_names),
        "figures": figures,
        "weak_segments": weak_segment_rows(results),
        "anomalies": anomaly_rows(results),
        "findings": _findings(run, results),
        "methods": check_methods(results),
        "sampling": sampling_rows(results),
        "software": software_versions(),
        "coverages": project_framework_coverage(project=run.project, run=run),
        "coverage_note": "Measured criteria are judged by this run's results, process "
        "criteria by their attestations when the report was made.",
    }
    return TEMPLATE, context


renderer_register(ReportKind.RUN, run_report_context)
