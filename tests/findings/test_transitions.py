import itertools

import pytest

from apps.audit.models import StatusChange
from apps.findings.models import Finding, FindingStatus
from apps.findings.services import finding_transition
from apps.findings.workflow import MANUAL_TRANSITIONS
from qualiti.errors import InvalidInput, PermissionRefused, StaleVersion
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a, b in itertools.permutations(FindingStatus.values, 2)]
LEGAL = [pair for pair in ALL_PAIRS if pair in MANUAL_TRANSITIONS]
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in MANUAL_TRANSITIONS]


@pytest.fixture
def cast():
    return ProjectCast()


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_the_quality_manager_makes_every_legal_move(cast, from_status, to_status):
    finding = cast.finding(status=from_status)

    finding_transition(finding=finding, user=cast.qm, to=to_status, reason="checked", version=1)

    finding.refresh_from_db()
    assert finding.status == to_status
    assert finding.version == 2
    change = StatusChange.objects.get(object_id=finding.pk, to_status=to_status)
    assert (change.from_status, change.actor, change.reason) == (from_status, cast.qm, "checked")


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_move_is_refused_naming_the_allowed_ones(cast, from_status, to_status):
    finding = cast.finding(status=from_status)

    with pytest.raises(InvalidInput) as refused:
        finding_transition(finding=finding, user=cast.admin, to=to_status, reason="x", version=1)

    assert f"cannot move from {from_status} to {to_status}; allowed:" in refused.value.message
    finding.refresh_from_db()
    assert (finding.status, finding.version) == (from_status, 1)
    assert not StatusChange.objects.exists()


def test_a_developer_moves_their_teams_finding_to_fix_submitted(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    finding_transition(
        finding=finding, user=cast.dev, to="fix_submitted", reason="model 2", version=1
    )

    assert Finding.objects.get().status == FindingStatus.FIX_SUBMITTED


def test_submitting_a_fix_without_a_note_is_refused_saying_what_to_write(cast):
    finding = cast.finding(status=FindingStatus.IN_PROGRESS)

    with pytest.raises(InvalidInput) as refused:
        finding_transition(
            finding=finding, user=cast.dev, to="fix_submitted", reason=" ", version=1
        )

    assert refused.value.field == "reason"
    assert "needs a note: what changed, and which model version" in refused.value.message
    assert Finding.objects.get().status == FindingStatus.IN_PROGRESS


def test_a_developer_of_another_team_may_not(cast):
    finding = cast.finding(status=FindingStatus.OPEN)

    with pytest.raises(PermissionRefused):
        finding_transition(finding=finding, user=cast.other_dev, to="in_progress", version=1)
    assert Finding.objects.get().status == FindingStatus.OPEN


@pytest.mark.parametrize("to_status", ["verified", "false_positive"])
def test_a_developer_cannot_verify_or_dismiss(cast, to_status):
    finding = cast.finding(
        status=FindingStatus.FIX_SUBMITTED if to_status == "verified" else "open"
    )

    with pytest.raises(PermissionRefused):
        finding_transition(finding=finding, user=cast.dev, to=to_status, reason="r", version=1)


@pytest.mark.parametrize("role", ["viewer", "manager"])
def test_viewers_and_management_cannot_move_findings(cast, role):
    finding = cast.finding()

    with pytest.raises(PermissionRefused):
        finding_transition(finding=finding, user=getattr(cast, role), to="in_progress", version=1)


def test_a_false_positive_needs_a_reason(cast):
    finding = cast.finding()

    with pytest.raises(InvalidInput, match="needs a reason"):
        finding_transition(finding=finding, user=cast.qm, to="false_positive", version=1)


def test_a_stale_version_is_refused_with_409_and_changes_nothing(cast):
    finding = cast.finding()
    finding_transition(finding=finding, user=cast.dev, to="in_progress", version=1)

    stale = Finding.objects.get()
    stale.status = FindingStatus.OPEN  # what the slow client still believes
    with pytest.raises(StaleVersion) as refused:
        finding_transition(finding=stale, user=cast.qm, to="false_positive", reason="r", version=1)

    assert refused.value.status_code == 409
    assert Finding.objects.get().status == FindingStatus.IN_PROGRESS
    assert StatusChange.objects.count() == 1


def test_reopening_restarts_the_sla_clock_and_clears_closure(cast):
    finding = cast.finding(status=FindingStatus.VERIFIED, severity="critical")

    finding_transition(finding=finding, user=cast.qm, to="open", reason="regressed", version=1)

    finding.refresh_from_db()
    assert finding.closed_at is None
    assert (finding.due_date - finding.updated_at.date()).days == 7
