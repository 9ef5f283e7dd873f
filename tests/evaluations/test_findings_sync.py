"""DESIGN.md's finding-status table, row by row, on stored results (no worker)."""

import datetime

import pytest
from django.utils import timezone

from apps.accounts.models import Notification
from apps.audit.models import StatusChange
from apps.evaluations.models import RunStatus
from apps.findings.models import Finding, FindingStatus
from apps.findings.services import finding_fingerprint, findings_sync_for_run
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import ProjectCast
from tests.projects.factories import ModelVersionFactory
from tests.support.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_on_collection_day")]
S = FindingStatus


class History:
    """Model versions 1 and 2, a run on each, and a criterion the runs judge."""

    def __init__(self) -> None:
        self.cast = ProjectCast()
        project = self.cast.project
        self.criterion = CriterionFactory(project=project, guidance="Reweigh the training data.")
        self.v1 = ModelVersionFactory(project=project, sequence=1)
        self.v2 = ModelVersionFactory(project=project, sequence=2)
        self.run1 = self.run(self.v1)

    def run(self, model_version):
        return EvaluationRunFactory(
            project=self.cast.project, model_version=model_version, status=RunStatus.SUCCEEDED
        )

    def result(self, run, outcome: str, subject: str = "sex=F"):
        return CheckResultFactory(
            run=run, criterion=self.criterion, outcome=outcome, subject=subject
        )

    def finding(self, status: str, risk_expires_on=None) -> Finding:
        return self.cast.finding(
            status=status,
            source="check",
            criterion=self.criterion,
            check_key="performance.classification",
            subject="sex=F",
            fingerprint=finding_fingerprint(
                project_id=self.cast.project.pk,
                criterion_id=self.criterion.pk,
                check_key="performance.classification",
                subject="sex=F",
            ),
            first_seen_run=self.run1,
            last_seen_run=self.run1,
            risk_expires_on=risk_expires_on,
        )


CURRENT = TODAY + datetime.timedelta(days=30)
EXPIRED = TODAY - datetime.timedelta(days=1)

# (status before, risk expiry, outcome, on a newer version?, status after, last seen moves?)
TABLE = [
    (S.OPEN, None, "fail", True, S.OPEN, True),
    (S.IN_PROGRESS, None, "fail", True, S.IN_PROGRESS, True),
    (S.FIX_SUBMITTED, None, "fail", True, S.OPEN, True),
    (S.VERIFIED, None, "fail", True, S.OPEN, True),
    (S.RISK_ACCEPTED, CURRENT, "fail", True, S.RISK_ACCEPTED, True),
    (S.RISK_ACCEPTED, EXPIRED, "fail", True, S.OPEN, True),
    (S.FALSE_POSITIVE, None, "fail", True, S.FALSE_POSITIVE, True),
    (S.OPEN, None, "pass", True, S.VERIFIED, True),
    (S.IN_PROGRESS, None, "pass", True, S.VERIFIED, True),
    (S.FIX_SUBMITTED, None, "pass", True, S.VERIFIED, True),
    (S.VERIFIED, None, "pass", True, S.VERIFIED, False),
    (S.RISK_ACCEPTED, CURRENT, "pass", True, S.RISK_ACCEPTED, False),
    (S.RISK_ACCEPTED, EXPIRED, "pass", True, S.VERIFIED, True),
    (S.FALSE_POSITIVE, None, "pass", True, S.FALSE_POSITIVE, False),
    # A pass on the same model version is not a verification.
    (S.OPEN, None, "pass", False, S.OPEN, False),
    (S.FIX_SUBMITTED, None, "pass", False, S.FIX_SUBMITTED, False),
]


@pytest.mark.parametrize(
    ("before", "expires", "outcome", "newer", "after", "last_seen_moves"),
    TABLE,
    ids=[f"{row[0]}{'-expired' if row[1] == EXPIRED else ''}-{row[2]}"
         f"{'' if row[3] else '-same-version'}" for row in TABLE],
)  # fmt: skip
def test_a_run_moves_an_existing_finding_as_the_table_says(
    before, expires, outcome, newer, after, last_seen_moves
):
    history = History()
    finding = history.finding(before, risk_expires_on=expires)
    run = history.run(history.v2 if newer else history.v1)
    history.result(run, outcome)

    findings_sync_for_run(run=run)

    finding.refresh_from_db()
    assert finding.status == after
    assert (finding.last_seen_run_id == run.pk) == last_seen_moves
    if after != before:
        change = StatusChange.objects.get(object_id=finding.pk, to_status=after)
        assert (change.from_status, change.run_id) == (before, run.pk)
        if before == S.FIX_SUBMITTED and after == S.OPEN:
            assert "the fix did not pass: Classification performance failed" in change.reason
    if after == S.OPEN and before != S.OPEN:
        assert finding.closed_at is None and finding.due_date > TODAY
    # Idempotent: the same run synced again changes nothing.
    version = finding.version
    findings_sync_for_run(run=run)
    finding.refresh_from_db()
    assert (finding.status, finding.version) == (after, version)


def test_a_new_failure_opens_a_finding_with_its_corrective_action():
    history = History()
    result = history.result(history.run1, "fail")

    findings_sync_for_run(run=history.run1)
    findings_sync_for_run(run=history.run1)

    finding = Finding.objects.get()
    assert (finding.status, finding.source, finding.severity) == ("open", "check", "high")
    assert (finding.first_seen_run, finding.last_seen_run) == (history.run1, history.run1)
    assert finding.assigned_team == history.cast.team
    assert finding.due_date == TODAY + datetime.timedelta(days=history.cast.project.sla_high_days)
    assert finding.subject == result.subject and finding.criterion == history.criterion
    (action,) = finding.actions.all()
    assert action.description == "Reweigh the training data."
    assert action.due_date == finding.due_date
    assert StatusChange.objects.get(object_id=finding.pk, to_status="open").run == history.run1
    assert Notification.objects.filter(user=history.cast.dev, kind="finding_opened").count() == 1


def test_a_pass_without_a_finding_creates_nothing():
    history = History()
    history.result(history.run(history.v2), "pass")

    findings_sync_for_run(run=history.v2.runs.get())

    assert not Finding.objects.exists()


def test_errors_and_skipped_results_change_no_finding():
    history = History()
    finding = history.finding(S.OPEN)
    run = history.run(history.v2)
    history.result(run, "error")
    history.result(run, "skipped", subject="sex=M")

    findings_sync_for_run(run=run)

    finding.refresh_from_db()
    assert (finding.status, finding.last_seen_run) == ("open", history.run1)


def test_the_assignee_hears_of_a_verification():
    history = History()
    finding = history.finding(S.FIX_SUBMITTED)
    Finding.objects.filter(pk=finding.pk).update(assignee=history.cast.dev)
    run = history.run(history.v2)
    history.result(run, "pass")

    findings_sync_for_run(run=run)

    assert Notification.objects.get(kind="finding_verified").user == history.cast.dev
    assert timezone.now() >= Finding.objects.get().closed_at


def test_a_run_leaves_a_process_criterions_finding_and_the_plan_alone():
    from apps.criteria.services_attestations import attestation_refuse, attestation_submit
    from apps.evaluations.services.plans import plan_document
    from tests.criteria.factories import ProcessCriterionFactory
    from tests.evaluations.factories import approved_plan

    history = History()
    process = ProcessCriterionFactory(project=history.cast.project)
    answer = attestation_submit(
        criterion=process, user=history.cast.dev, answer="Yes.", evidence_url="https://w.example"
    )
    attestation_refuse(attestation=answer, user=history.cast.qm, reason="Unsigned.")
    process_finding = Finding.objects.get(criterion=process)
    plan = approved_plan(
        history.cast.project, [history.criterion], user=history.cast.qm, name="Release"
    )
    run2 = history.run(history.v2)
    history.result(run2, "pass")

    findings_sync_for_run(run=run2)

    assert [item["criterion"] for item in plan_document(plan)] == [history.criterion.code]
    process_finding.refresh_from_db()
    assert (process_finding.status, process_finding.last_seen_run) == (S.OPEN, None)


@pytest.mark.parametrize("before", [S.OPEN, S.VERIFIED])
def test_a_failure_again_brings_its_numbers_into_the_description(before):
    """Failing again (open) or after a regression (verified): the description says the
    latest numbers, not the first run's."""
    history = History()
    CheckResultFactory(run=history.run1, criterion=history.criterion, subject="sex=F",
                       message="Recall 0.61 is below 0.80.")  # fmt: skip
    finding = history.finding(before)
    Finding.objects.filter(pk=finding.pk).update(description="Recall 0.61 is below 0.80.")
    run = history.run(history.v2)
    CheckResultFactory(run=run, criterion=history.criterion, subject="sex=F",
                       message="Recall 0.42 is below 0.80.")  # fmt: skip

    findings_sync_for_run(run=run)

    finding.refresh_from_db()
    assert (finding.status, finding.description) == (S.OPEN, "Recall 0.42 is below 0.80.")


def test_a_description_a_person_wrote_is_kept_when_the_finding_fails_again():
    history = History()
    CheckResultFactory(run=history.run1, criterion=history.criterion, subject="sex=F",
                       message="Recall 0.61 is below 0.80.")  # fmt: skip
    finding = history.finding(S.OPEN)
    Finding.objects.filter(pk=finding.pk).update(description="Women's recall: see ticket 12.")
    run = history.run(history.v2)
    CheckResultFactory(run=run, criterion=history.criterion, subject="sex=F",
                       message="Recall 0.42 is below 0.80.")  # fmt: skip

    findings_sync_for_run(run=run)

    finding.refresh_from_db()
    assert (finding.last_seen_run, finding.description) == (run, "Women's recall: see ticket 12.")
