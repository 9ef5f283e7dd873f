"""Reopening is one service: a failing run, an expired acceptance and a person reopen a
finding alike (closed no more, SLA clock restarted, the approved acceptance expired); and
a failure on a model version older than the verifying one leaves the finding verified."""

import datetime

import pytest

from apps.audit.models import StatusChange
from apps.findings.models import FindingStatus, RiskAcceptance, RiskAcceptanceState
from apps.findings.services import (
    finding_transition,
    findings_sync_for_run,
    risk_acceptance_decide,
    risk_acceptance_request,
    risk_acceptances_expire,
)
from tests.evaluations.test_findings_sync import History
from tests.support.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_on_collection_day")]
S = FindingStatus


def accepted_risk(history: History, *, expires_on: datetime.date):
    """A finding whose risk was accepted (requested, approved), then dated `expires_on`."""
    finding = history.finding(S.OPEN)
    acceptance = risk_acceptance_request(
        finding=finding,
        user=history.cast.qm,
        justification="compensating control",
        expires_on=TODAY + datetime.timedelta(days=10),
    )
    risk_acceptance_decide(acceptance=acceptance, user=history.cast.manager, approve=True)
    finding.refresh_from_db()
    type(finding).objects.filter(pk=finding.pk).update(
        risk_expires_on=expires_on, due_date=TODAY - datetime.timedelta(days=40)
    )
    finding.refresh_from_db()
    return finding, acceptance


def reopen_by_run(history, finding):
    run = history.run(history.v2)
    history.result(run, "fail")
    findings_sync_for_run(run=run)


def reopen_by_expiry(history, finding):
    risk_acceptances_expire()


def reopen_by_hand(history, finding):
    finding_transition(
        finding=finding, user=history.cast.qm, to=S.OPEN, reason="control withdrawn",
        version=finding.version,
    )  # fmt: skip


@pytest.mark.parametrize("reopen", [reopen_by_run, reopen_by_expiry, reopen_by_hand])
def test_every_path_reopens_a_finding_alike(reopen):
    history = History()
    finding, acceptance = accepted_risk(history, expires_on=TODAY - datetime.timedelta(days=1))

    reopen(history, finding)

    finding.refresh_from_db()
    assert finding.status == S.OPEN
    assert (finding.closed_at, finding.risk_expires_on) == (None, None)
    sla_days = history.cast.project.sla_high_days  # the factory's findings are high
    assert finding.due_date == TODAY + datetime.timedelta(days=sla_days)  # restarted
    assert RiskAcceptance.objects.get(pk=acceptance.pk).state == RiskAcceptanceState.EXPIRED
    change = StatusChange.objects.filter(object_id=finding.pk, to_status=S.OPEN).last()
    assert change.from_status == S.RISK_ACCEPTED and change.reason


def verified_by_run_on_v2(history: History):
    finding = history.finding(S.OPEN)
    run2 = history.run(history.v2)
    history.result(run2, "pass")
    findings_sync_for_run(run=run2)
    finding.refresh_from_db()
    assert finding.status == S.VERIFIED
    return finding, run2


def test_a_failure_on_an_older_version_leaves_a_verified_finding_verified():
    history = History()
    finding, run2 = verified_by_run_on_v2(history)
    old_run = history.run(history.v1)
    history.result(old_run, "fail")

    findings_sync_for_run(run=old_run)
    findings_sync_for_run(run=old_run)  # idempotent

    finding.refresh_from_db()
    assert finding.status == S.VERIFIED
    (note,) = StatusChange.objects.filter(object_id=finding.pk, run=old_run)
    assert (note.from_status, note.to_status) == (S.VERIFIED, S.VERIFIED)
    assert "still fails on the older model version 1" in note.reason
    assert f"verified on version 2 by run {run2.pk}" in note.reason


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_failure_on_the_same_or_a_newer_version_reopens_it(version):
    history = History()
    finding, _ = verified_by_run_on_v2(history)
    if version == "v3":
        from tests.projects.factories import ModelVersionFactory

        history.v3 = ModelVersionFactory(project=history.cast.project, sequence=3)
    run = history.run(getattr(history, version))
    history.result(run, "fail")

    findings_sync_for_run(run=run)

    finding.refresh_from_db()
    assert finding.status == S.OPEN
    assert "regression" in StatusChange.objects.filter(object_id=finding.pk).last().reason


def test_a_finding_verified_by_a_person_reopens_on_any_failure():
    history = History()
    finding = history.finding(S.OPEN)
    finding_transition(
        finding=finding, user=history.cast.qm, to=S.VERIFIED, reason="checked by hand",
        version=finding.version,
    )  # fmt: skip
    old_run = history.run(history.v1)
    history.result(old_run, "fail")

    findings_sync_for_run(run=old_run)

    finding.refresh_from_db()
    assert finding.status == S.OPEN
