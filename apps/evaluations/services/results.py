"""Storing a run's results: all at once, replacing an earlier attempt's, with the run's
summary and the findings sync in the same transaction."""

from django.db import transaction
from django.utils import timezone

from apps.evaluations import engine
from apps.evaluations.models import CheckResult, EvaluationRun, RunStatus
from apps.evaluations.services.history import run_status_record
from apps.findings.services.sync import findings_sync_for_run
from apps.testplans.models import PlanCheck

_MAX_TEXT = 2000


def check_result_row(
    *, run: EvaluationRun, plan_check: PlanCheck, result: engine.CheckResult
) -> CheckResult:
    data = result.to_dict()
    return CheckResult(
        run=run,
        plan_check=plan_check,
        criterion_id=plan_check.criterion_id,
        check_key=data["check"],
        category=data["category"],
        subject=(data["subject"] or "")[:500],
        outcome=data["outcome"],
        observed=data["observed"],
        metric=result.metric or "",
        comparator=result.comparator or "",
        threshold=data["threshold"],
        ci=data["ci"],
        evidence=data["evidence"] or {},
        flagged_rows=data["flagged_rows"] or [],
        sampling=data["sampling"],
        severity=data["severity"] or "",
        blocking=bool(data["blocking"]),
        message=data["message"][:_MAX_TEXT] if data["message"] else "",
        duration_ms=max(0, int(result.duration_ms)),
    )


def run_results_store(
    *,
    run: EvaluationRun,
    results: list[tuple[PlanCheck, engine.CheckResult]],
    summary: dict,
) -> bool:
    """Replace the run's results with these, mark it succeeded and sync its findings.

    Only while the run is still this attempt's: a run the sweeper gave to another worker
    (or that was cancelled meanwhile) is left alone; returns whether it was stored.
    """
    with transaction.atomic():
        current = (
            EvaluationRun.objects.select_for_update()
            .filter(pk=run.pk, status=RunStatus.RUNNING, attempt=run.attempt)
            .first()
        )
        if current is None:
            return False
        # A retried run replaces what an earlier attempt may have written.
        CheckResult.objects.filter(run=current).delete()
        CheckResult.objects.bulk_create(
            check_result_row(run=current, plan_check=plan_check, result=result)
            for plan_check, result in results
        )
        current.status = RunStatus.SUCCEEDED
        current.summary = {key: value for key, value in summary.items() if key != "verdict"}
        current.verdict = summary["verdict"]
        current.progress = 100
        current.current_step = "done"
        current.finished_at = timezone.now()
        current.heartbeat_at = current.finished_at
        current.save(
            update_fields=[
                "status", "summary", "verdict", "progress", "current_step", "finished_at",
                "heartbeat_at",
            ]
        )  # fmt: skip
        run_status_record(
            run=current,
            from_status=RunStatus.RUNNING,
            reason=f"verdict {current.verdict}",
        )
        findings_sync_for_run(run=current)
    run.refresh_from_db()
    return True
