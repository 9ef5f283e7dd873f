"""Reads of the evaluations app shared by pages and the API."""

from typing import Any

from apps.evaluations import engine
from apps.evaluations.models import CheckResult, EvaluationRun, Outcome, RunStatus


def check_catalogue() -> list[dict[str, Any]]:
    """The engine's registry as the API lists it: key, category, task types, parameters
    with their defaults, metrics and documentation."""
    return [check.describe() for _, check in sorted(engine.registered_checks().items())]


def run_previous(*, run: EvaluationRun) -> EvaluationRun | None:
    """The latest succeeded run of a plan of the same name on the model version just
    before this run's (the highest lower sequence that has such a run)."""
    return (
        EvaluationRun.objects.filter(
            project_id=run.project_id,
            test_plan__name=run.test_plan.name,
            status=RunStatus.SUCCEEDED,
            model_version__sequence__lt=run.model_version.sequence,
        )
        .select_related("model_version")
        .order_by("-model_version__sequence", "-finished_at", "-id")
        .first()
    )


def _key(result: CheckResult) -> tuple:
    criterion = result.criterion.code if result.criterion is not None else ""
    return (criterion, result.check_key, result.metric, result.subject)


def _value(result: CheckResult | None) -> Any:
    if result is None or not result.metric or not isinstance(result.observed, dict):
        return None
    return result.observed.get(result.metric)


def run_comparable(*, run: EvaluationRun, other_id: object) -> EvaluationRun | None:
    """Another succeeded run of the same project, by id, to compare `run` with; None when
    there is no such run (another project's run is no more found than a missing one)."""
    if not str(other_id).isdigit():
        return None
    return (
        EvaluationRun.objects.filter(
            project_id=run.project_id, pk=int(str(other_id)), status=RunStatus.SUCCEEDED
        )
        .exclude(pk=run.pk)
        .select_related("model_version")
        .first()
    )


def runs_to_compare_with(*, run: EvaluationRun, limit: int = 100) -> list[EvaluationRun]:
    """The project's other succeeded runs, newest first, for "compare with"."""
    return list(
        EvaluationRun.objects.filter(project_id=run.project_id, status=RunStatus.SUCCEEDED)
        .exclude(pk=run.pk)
        .select_related("model_version", "test_plan")
        .order_by("-finished_at", "-id")[:limit]
    )


def run_comparison(*, run: EvaluationRun, other: EvaluationRun | None = None) -> dict[str, Any]:
    """Regression against another run (by default the previous one): the metric's change per
    check and subject, failures that are new, and failures that are fixed."""
    previous = other if other is not None else run_previous(run=run)
    current = {_key(r): r for r in run.results.select_related("criterion")}
    before = {_key(r): r for r in previous.results.select_related("criterion")} if previous else {}
    rows, new_failures, fixed_failures = [], [], []
    for key in sorted(set(current) | set(before)):
        now, then = current.get(key), before.get(key)
        value, previous_value = _value(now), _value(then)
        delta = None
        if isinstance(value, int | float) and isinstance(previous_value, int | float):
            delta = value - previous_value
        row = {
            "criterion": key[0],
            "check_key": key[1],
            "metric": key[2],
            "subject": key[3],
            "outcome": now.outcome if now else None,
            "previous_outcome": then.outcome if then else None,
            "value": value,
            "previous_value": previous_value,
            "delta": delta,
        }
        rows.append(row)
        failed_now = now is not None and now.outcome == Outcome.FAIL
        failed_then = then is not None and then.outcome == Outcome.FAIL
        if failed_now and previous is not None and not failed_then:
            new_failures.append(row)
        if failed_then and now is not None and now.outcome == Outcome.PASS:
            fixed_failures.append(row)
    return {
        "run": run.pk,
        "model_version": run.model_version.sequence,
        "previous_run": previous.pk if previous else None,
        "previous_model_version": previous.model_version.sequence if previous else None,
        "chosen": other is not None,
        "checks": rows,
        "new_failures": new_failures,
        "fixed_failures": fixed_failures,
    }
