"""My work's queues per role, their next-action buttons, and the count in the top bar."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.evaluations.models import RunStatus
from apps.findings import services, work_queues
from apps.findings.models import ActionStatus, CorrectiveAction, FindingStatus, RiskAcceptance
from tests.evaluations.factories import EvaluationRunFactory
from tests.factories import TeamFactory
from tests.findings.factories import FindingFactory, ProjectCast

pytestmark = pytest.mark.django_db

MY_WORK = reverse("my-work")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days(count: int) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=count)


def titles(findings) -> list[str]:
    return [finding.title for finding in findings]


@pytest.fixture
def cast():
    return ProjectCast()


def test_fixes_to_verify_carry_the_developers_note(cast):
    finding = cast.finding(title="Parity", status=FindingStatus.IN_PROGRESS)
    services.finding_transition(
        finding=finding, user=cast.dev, to="fix_submitted", reason="model 2", version=1
    )
    FindingFactory(title="Elsewhere", status=FindingStatus.FIX_SUBMITTED)

    (row,) = work_queues.fixes_to_verify(user=cast.qm)

    assert (row.title, row.fix_note, row.fix_by) == ("Parity", "model 2", cast.dev.username)
    assert not work_queues.fixes_to_verify(user=cast.dev).exists()  # not their queue


def test_findings_without_assignee_soonest_due_first(cast):
    cast.finding(title="Later", due_date=days(9))
    cast.finding(title="Sooner", due_date=days(2))
    cast.finding(title="Assigned", assignee=cast.dev)
    cast.finding(title="Closed", status=FindingStatus.VERIFIED)

    assert titles(work_queues.findings_unassigned(user=cast.qm)) == ["Sooner", "Later"]


def test_risk_to_request_is_overdue_severe_unfixed_and_not_asked_yet(cast):
    cast.finding(title="Overdue critical", severity="critical", due_date=days(-3))
    cast.finding(title="Overdue high, in progress", status="in_progress", due_date=days(-1))
    cast.finding(title="Overdue medium", severity="medium", due_date=days(-3))
    cast.finding(title="Fix submitted", status="fix_submitted", due_date=days(-3))
    cast.finding(title="Not due", severity="critical", due_date=days(3))
    asked = cast.finding(title="Asked already", due_date=days(-3))
    RiskAcceptance.objects.create(finding=asked, justification="j", expires_on=days(30))

    assert titles(work_queues.risk_to_request(user=cast.qm)) == [
        "Overdue critical",
        "Overdue high, in progress",
    ]


def test_accepted_risks_ending_within_two_weeks(cast):
    cast.finding(title="Ends in 14 days", status="risk_accepted", risk_expires_on=days(14))
    cast.finding(title="Ends in 15 days", status="risk_accepted", risk_expires_on=days(15))

    assert titles(work_queues.risk_expiring(user=cast.qm)) == ["Ends in 14 days"]


def test_runs_that_failed_in_the_last_30_days(cast):
    recent = EvaluationRunFactory(project=cast.project, status=RunStatus.FAILED)
    old = EvaluationRunFactory(project=cast.project, status=RunStatus.FAILED)
    old.created_at = timezone.now() - datetime.timedelta(days=31)
    old.save(update_fields=["created_at"])
    EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED)
    EvaluationRunFactory(status=RunStatus.FAILED)  # another project

    assert list(work_queues.runs_failed(user=cast.qm)) == [recent]


def test_management_decides_pending_risk_and_watches_overdue_critical(cast):
    finding = cast.finding(title="Carry it")
    pending = RiskAcceptance.objects.create(finding=finding, justification="j", expires_on=days(9))
    FindingFactory(title="Far away", severity="critical", due_date=days(-1))
    cast.finding(title="Critical, not due", severity="critical", due_date=days(1))

    assert list(work_queues.risk_decisions(user=cast.manager)) == [pending]
    assert titles(work_queues.overdue_critical(user=cast.manager)) == ["Far away"]
    assert not work_queues.risk_decisions(user=cast.qm).exists()


def test_the_counts_add_up_in_one_query(cast, django_assert_num_queries):
    cast.finding(status=FindingStatus.FIX_SUBMITTED, assignee=cast.dev)
    cast.finding()  # unassigned, and the developer's team's
    EvaluationRunFactory(project=cast.project, status=RunStatus.FAILED)
    work_queues.work_waiting_counts(user=cast.qm)  # content types cached, as in a server

    with django_assert_num_queries(1):
        counts = work_queues.work_waiting_counts(user=cast.qm)

    assert (counts["verify"], counts["unassigned"], counts["runs_failed"]) == (1, 1, 1)
    assert counts["total"] == 3
    assert work_queues.work_waiting_counts(user=cast.dev)["total"] == 1  # the open one
    assert work_queues.work_waiting_counts(user=cast.viewer)["total"] == 0


def test_an_action_the_developer_owns_on_another_teams_finding_waits_on_them(cast):
    elsewhere = cast.finding(assignee=cast.other_dev, assigned_team=TeamFactory())
    own = cast.finding(assignee=cast.dev)
    CorrectiveAction.objects.create(finding=elsewhere, description="Relabel", owner=cast.dev)
    CorrectiveAction.objects.create(finding=own, description="Retrain", owner=cast.dev)
    CorrectiveAction.objects.create(
        finding=elsewhere, description="Done already", owner=cast.dev, status=ActionStatus.DONE
    )

    counts = work_queues.work_waiting_counts(user=cast.dev)
    page = client_for(cast.dev).get(reverse("finding-list")).content.decode()

    # The own finding counts once (its action is part of it); the other team's, by its action.
    assert (counts["developer"], counts["actions"], counts["total"]) == (1, 1, 2)
    assert 'aria-label="My work, 2 waiting"' in page
    assert work_queues.work_waiting_counts(user=cast.other_dev)["actions"] == 0


def test_the_top_bar_says_how_much_waits_on_every_page(cast):
    cast.finding()
    cast.finding()

    page = client_for(cast.qm).get(reverse("finding-list")).content.decode()
    quiet = client_for(cast.viewer).get(reverse("finding-list")).content.decode()

    assert 'aria-label="My work, 2 waiting">My work <span class="badge count"' in page
    assert "waiting" not in quiet


def test_the_quality_manager_queues_lead_to_their_next_action(cast):
    fixed = cast.finding(title="Fixed", status=FindingStatus.FIX_SUBMITTED, assignee=cast.dev)
    loose = cast.finding(title="Loose")
    late = cast.finding(title="Late", severity="critical", due_date=days(-2), assignee=cast.dev)
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.FAILED, error="boom")

    response = client_for(cast.qm).get(MY_WORK)
    page = response.content.decode()

    assert response.context["counts"]["total"] == 4
    launch = reverse("run-launch", args=[cast.project.slug])
    assert f'href="{launch}">Launch a verification run' in page
    detail = reverse("finding-detail", args=[fixed.pk])
    assert f'href="{detail}#triage-heading">Verify by hand' in page
    assign = reverse("finding-detail", args=[loose.pk]) + "#assign-form-heading"
    assert f'href="{assign}">Assign<span class="visually-hidden"> Loose' in page
    risk = reverse("finding-detail", args=[late.pk]) + "#risk"
    assert f'href="{risk}">Request risk acceptance' in page
    assert f'href="{reverse("run-detail", args=[cast.project.slug, run.pk])}">Open run' in page
    assert "Risk acceptances to decide" not in page  # management's queue


def test_management_queues_on_my_work(cast):
    finding = cast.finding(title="Carry it", severity="critical", due_date=days(-5))
    RiskAcceptance.objects.create(finding=finding, justification="vendor fix", expires_on=days(9))

    page = client_for(cast.manager).get(MY_WORK).content.decode()

    decide = reverse("finding-detail", args=[finding.pk]) + "#risk"
    assert f'href="{decide}">Approve or reject' in page
    assert "vendor fix" in page
    assert "Follow up<span" in page
    assert "Fixes to verify" not in page


def test_the_developer_takes_an_action_from_my_work(cast):
    finding = cast.finding(title="Parity")
    action = services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")
    client = client_for(cast.dev)

    page = client.get(MY_WORK).content.decode()
    response = client.post(
        reverse("finding-action-take", args=[finding.pk, action.pk]),
        {"version": action.version, "next": MY_WORK},
    )

    assert "I&#x27;ll do it<span" in page
    submit = reverse("finding-detail", args=[finding.pk]) + "#submit-fix"
    assert f'href="{submit}">Submit fix<span class="visually-hidden"> on Parity' in page
    assert response["Location"] == MY_WORK
    action.refresh_from_db()
    assert action.owner == cast.dev
    assert "I&#x27;ll do it<span" not in client.get(MY_WORK).content.decode()


@pytest.mark.parametrize("rows", [2, 20])
def test_my_work_costs_the_same_queries_for_many_rows(cast, rows, django_assert_max_num_queries):
    cast.manager.memberships.create(project=cast.project, role="quality_manager")
    for index in range(rows):
        finding = cast.finding(due_date=days(index - 5), severity="critical")
        CorrectiveAction.objects.create(finding=finding, description="Fix")
        cast.finding(status=FindingStatus.FIX_SUBMITTED)
        RiskAcceptance.objects.create(finding=finding, justification="j", expires_on=days(9))
        EvaluationRunFactory(project=cast.project, status=RunStatus.FAILED)

    client = client_for(cast.manager)

    with django_assert_max_num_queries(18):
        response = client.get(MY_WORK)

    assert len(response.context["verify_rows"]) == rows
    assert len(response.context["decision_rows"]) == rows
    assert len(response.context["failed_run_rows"]) == rows


def test_an_answer_to_a_process_criterion_waits_on_the_quality_managers_my_work(cast):
    from apps.criteria.services_attestations import attestation_accept, attestation_submit
    from tests.criteria.factories import ProcessCriterionFactory

    criterion = ProcessCriterionFactory(project=cast.project, code="PROC-02", name="Oversight")
    answer = attestation_submit(
        criterion=criterion, user=cast.dev, answer="Yes, see the runbook.",
        evidence_url="https://intranet.example/runbook",
    )  # fmt: skip

    response = client_for(cast.qm).get(MY_WORK)
    page = response.content.decode()

    assert response.context["counts"]["answers"] == 1
    assert work_queues.work_waiting_counts(user=cast.dev)["answers"] == 0
    decide = reverse("criterion-edit", args=[cast.project.slug, criterion.pk])
    assert f'href="{decide}#answers-heading">Decide' in page
    assert "PROC-02 Oversight" in page and "Yes, see the runbook." in page

    attestation_accept(attestation=answer, user=cast.qm, note="")

    assert work_queues.work_waiting_counts(user=cast.qm)["answers"] == 0
