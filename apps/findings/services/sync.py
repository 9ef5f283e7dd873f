"""What a run does to findings: DESIGN.md's finding-status table, applied once per
fingerprint (project, criterion, check, subject) of the run's judged results.

| status before           | its check fails again        | passes on a newer model version |
| (none)                  | create open                  | nothing                         |
| open, in_progress       | stays; last seen updated     | → verified                      |
| fix_submitted           | → open ("the fix did not…")  | → verified                      |
| verified                | → open (regression), unless  | stays                           |
|                         | the run's model version is   |                                 |
|                         | older than the one whose run |                                 |
|                         | verified it: stays, noted    |                                 |
| risk_accepted, current  | stays; last seen updated     | stays                           |
| risk_accepted, expired  | → open                       | → verified                      |
| false_positive          | stays; last seen updated     | stays                           |

Idempotent: syncing the same run twice changes nothing the second time.
"""

import hashlib
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import StatusChange
from apps.audit.services import status_change_record
from apps.evaluations import engine
from apps.evaluations.models import CheckResult, EvaluationRun, Outcome
from apps.findings.models import Finding, FindingSource, FindingStatus, RiskAcceptanceState
from apps.findings.services.actions import corrective_action_create
from apps.findings.services.findings import (
    claim_finding_version,
    finding_due_date,
    finding_reopen,
)
from qualiti.events import Event, event_publish

S = FindingStatus


def finding_fingerprint(*, project_id: int, criterion_id: int | None, check_key: str, subject: str):
    text = f"{project_id}\x1f{criterion_id or ''}\x1f{check_key}\x1f{subject}"
    return hashlib.sha256(text.encode()).hexdigest()


def _risk_expired(finding: Finding) -> bool:
    return finding.risk_expires_on is not None and finding.risk_expires_on < timezone.localdate()


def _is_newer(run: EvaluationRun, finding: Finding) -> bool:
    last = finding.last_seen_run
    if last is None or last.pk == run.pk:
        return False
    return run.model_version.sequence > last.model_version.sequence


def finding_verify(
    finding: Finding, *, reason: str, run: EvaluationRun | None = None, actor_id: int | None = None
) -> None:
    """Close a finding as verified: by a run whose check passed (`run`), or by a person's
    decision (`actor_id`, e.g. an accepted answer to a process criterion). An accepted risk
    it ends expires. Call inside the caller's transaction, on a locked finding."""
    from_status = finding.status
    changes: dict[str, object] = {"closed_at": timezone.now()}
    if run is not None:
        changes["last_seen_run"] = run
    if from_status == S.RISK_ACCEPTED:
        finding.risk_acceptances.filter(state=RiskAcceptanceState.APPROVED).update(
            state=RiskAcceptanceState.EXPIRED
        )
        changes["risk_expires_on"] = None
    claim_finding_version(finding=finding, version=finding.version, status=S.VERIFIED, **changes)
    run_id = run.pk if run is not None else None
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=from_status,
        to_status=S.VERIFIED,
        actor_id=actor_id,
        reason=reason,
        run_id=run_id,
    )
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    data = {"from": from_status, "to": S.VERIFIED, "reason": reason, "run_id": run_id}
    event_publish(Event("finding.status_changed", finding.project, finding, actor, data))


def _verifying_run(finding: Finding) -> EvaluationRun | None:
    """The run whose pass verified the finding last, or None when a person verified it."""
    change = (
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Finding),
            object_id=finding.pk,
            to_status=S.VERIFIED,
            from_status__in=[status for status in S.values if status != S.VERIFIED],
        )
        .select_related("run__model_version")
        .order_by("-created_at", "-id")
        .first()
    )
    return change.run if change is not None else None


def _older_failure_note(finding: Finding, run: EvaluationRun, verifier: EvaluationRun) -> None:
    """A failure on an older model version than the one that verified the finding: it
    stays verified (gating an old version must not undo the new one's verification), and
    its history says the old version still fails."""
    content_type = ContentType.objects.get_for_model(Finding)
    seen = StatusChange.objects.filter(content_type=content_type, object_id=finding.pk, run=run)
    if seen.exists():
        return  # this run was synced already
    status_change_record(
        subject=finding,
        project_id=finding.project_id,
        from_status=S.VERIFIED,
        to_status=S.VERIFIED,
        actor_id=None,
        reason=f"still fails on the older model version {run.model_version.sequence} "
        f"(run {run.pk}); verified on version {verifier.model_version.sequence} by run "
        f"{verifier.pk}, so it stays verified",
        run_id=run.pk,
    )


def _check(result: CheckResult) -> str:
    """The check by its name, as history lines and titles say it (the key stays on the
    finding)."""
    return engine.check_name(result.check_key)


def _title(result: CheckResult) -> str:
    criterion = result.criterion
    name = f"{criterion.code} {criterion.name}" if criterion else _check(result)
    return (f"{name} fails" + (f" on {result.subject}" if result.subject else ""))[:300]


def _create(run: EvaluationRun, result: CheckResult, fingerprint: str) -> Finding:
    project, criterion = run.project, result.criterion
    severity = result.severity or (criterion.severity if criterion else "medium")
    finding = Finding(
        project=project,
        title=_title(result),
        description=result.message,
        severity=severity,
        category=result.category,
        status=S.OPEN,
        source=FindingSource.CHECK,
        fingerprint=fingerprint,
        criterion=criterion,
        check_key=result.check_key,
        subject=result.subject,
        first_seen_run=run,
        last_seen_run=run,
        assigned_team=project.development_team,
        due_date=finding_due_date(project=project, severity=severity, start=timezone.localdate()),
        remediation=criterion.guidance if criterion else "",
    )
    finding.full_clean()
    finding.save()
    status_change_record(
        subject=finding,
        project_id=project.pk,
        from_status="",
        to_status=S.OPEN,
        actor_id=None,
        reason=f"{_check(result)} failed in run {run.pk}",
        run_id=run.pk,
    )
    corrective_action_create(
        finding=finding,
        user=None,
        description=finding.remediation or f"Make {_check(result)} pass: {result.message}",
    )
    event_publish(
        Event(
            "finding.opened",
            project,
            finding,
            data={"reopened": False, "run_id": run.pk, "reason": f"{_check(result)} failed"},
        )
    )
    return finding


def _refreshed_description(finding: Finding, result: CheckResult) -> dict[str, Any]:
    """The new failure's message as the description, while the description is still the
    message of the run that last saw the finding (a person's own words are kept): else a
    finding failing again, or after a regression, would go on showing the first numbers."""
    from apps.findings.selectors import finding_evidence_result  # it imports this module

    seen = finding_evidence_result(finding=finding)
    if seen is None or finding.description != seen.message or not result.message:
        return {}
    return {"description": result.message} if result.message != finding.description else {}


def _on_fail(run: EvaluationRun, finding: Finding, result: CheckResult) -> None:
    if finding.last_seen_run_id == run.pk:
        return  # this run was synced already
    status = finding.status
    if status == S.FIX_SUBMITTED:
        reason = f"the fix did not pass: {_check(result)} failed again in run {run.pk}"
    elif status == S.VERIFIED:
        verifier = _verifying_run(finding)
        sequence = run.model_version.sequence
        if verifier is not None and sequence < verifier.model_version.sequence:
            _older_failure_note(finding, run, verifier)
            return
        reason = f"regression: {_check(result)} failed again in run {run.pk}"
    elif status == S.RISK_ACCEPTED and _risk_expired(finding):
        reason = f"the accepted risk expired and {_check(result)} failed in run {run.pk}"
    else:  # open, in_progress, current risk acceptance, false positive: stays
        claim_finding_version(
            finding=finding,
            version=finding.version,
            last_seen_run=run,
            **_refreshed_description(finding, result),
        )
        return
    finding_reopen(
        finding=finding,
        version=finding.version,
        actor_id=None,
        reason=reason,
        run_id=run.pk,
        last_seen_run=run,
        **_refreshed_description(finding, result),
    )


def _on_pass(
    run: EvaluationRun, finding: Finding, result: CheckResult, *, reason: str = ""
) -> None:
    if not _is_newer(run, finding):
        return
    status = finding.status
    verifiable = status in (S.OPEN, S.IN_PROGRESS, S.FIX_SUBMITTED) or (
        status == S.RISK_ACCEPTED and _risk_expired(finding)
    )
    if not verifiable:
        return
    sequence = run.model_version.sequence
    reason = reason or f"{_check(result)} passed in run {run.pk} on model version {sequence}"
    finding_verify(finding, run=run, reason=reason)


def _discovers_subjects(check_key: str) -> bool:
    try:
        return engine.get_check(check_key).discovers_subjects
    except KeyError:  # a check no longer registered
        return False


def _no_longer_found(run: EvaluationRun, judged: dict[str, CheckResult]) -> int:
    """Verify the findings of a check that finds its subjects (weak slices) on a subject
    this run judged the check but no longer found, nor lists as still found beyond what it
    reported: the slice is not weak any more. Returns how many findings it looked at."""
    reported: dict[tuple[int | None, str], tuple[CheckResult, set[str]]] = {}
    for result in judged.values():
        if not _discovers_subjects(result.check_key):
            continue
        key = (result.criterion_id, result.check_key)
        _, subjects = reported.setdefault(key, (result, set()))
        subjects.add(result.subject)
        subjects.update(subject[:500] for subject in result.evidence.get("found_subjects", []))
    looked = 0
    for (criterion_id, check_key), (result, subjects) in reported.items():
        same_criterion = (
            Q(criterion_id=criterion_id) if criterion_id is not None else Q(criterion__isnull=True)
        )
        findings = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("project", "last_seen_run__model_version", "assignee")
            .filter(same_criterion, project_id=run.project_id, check_key=check_key,
                    source=FindingSource.CHECK)
            .filter(status__in=(S.OPEN, S.IN_PROGRESS, S.FIX_SUBMITTED, S.RISK_ACCEPTED))
            .exclude(subject__in=subjects)
            .exclude(subject="")  # a whole run's finding is verified by its own pass
        )  # fmt: skip
        for finding in findings:
            reason = (
                f"{_check(result)} no longer finds {finding.subject or 'it'} in run {run.pk} "
                f"on model version {run.model_version.sequence}"
            )
            _on_pass(run, finding, result, reason=reason)
            looked += 1
    return looked


@transaction.atomic
def findings_sync_for_run(*, run: EvaluationRun) -> dict[str, int]:
    """Open, update, reopen and verify the project's findings from a run's stored results.

    A fingerprint with several results (two plan checks of one criterion) fails when any
    of them fails. Errors and skipped checks change nothing. A check that finds its
    subjects verifies a subject's finding by no longer finding it (`_no_longer_found`).
    Returns counts per outcome.
    """
    run = EvaluationRun.objects.select_related("project", "model_version").get(pk=run.pk)
    judged: dict[str, CheckResult] = {}
    for result in run.results.select_related("criterion").filter(
        outcome__in=(Outcome.PASS, Outcome.FAIL)
    ):
        fingerprint = finding_fingerprint(
            project_id=run.project_id,
            criterion_id=result.criterion_id,
            check_key=result.check_key,
            subject=result.subject,
        )
        if fingerprint not in judged or result.outcome == Outcome.FAIL:
            judged[fingerprint] = result
    counts = {"created": 0, "failed_again": 0, "passed": 0}
    for fingerprint, result in judged.items():
        finding = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("project", "last_seen_run__model_version", "assignee")
            .filter(project_id=run.project_id, fingerprint=fingerprint)
            .first()
        )
        if result.outcome == Outcome.FAIL:
            if finding is None:
                _create(run, result, fingerprint)
                counts["created"] += 1
            else:
                _on_fail(run, finding, result)
                counts["failed_again"] += 1
        elif finding is not None:
            _on_pass(run, finding, result)
            counts["passed"] += 1
    counts["passed"] += _no_longer_found(run, judged)
    return counts
