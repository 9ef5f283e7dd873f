"""The finding page: facts, evidence chart, guidance, actions, history and comments, and
each of its POST endpoints for the allowed role, a viewer (403) and an outsider (404)."""

import json

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.audit.models import StatusChange
from apps.evaluations.models import RunStatus
from apps.findings import services
from apps.findings.models import ActionStatus, Comment, CorrectiveAction, FindingStatus
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.factories import TeamFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(finding, name="finding-detail", *extra) -> str:
    return reverse(name, args=[finding.pk, *extra])


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def finding_with_evidence(cast):
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED)
    criterion = CriterionFactory(
        project=cast.project,
        code="PERF-09",
        guidance="Rebalance the **training** data.",
        rationale="Missed defaults cost money.",
    )
    CheckResultFactory(
        run=run,
        criterion=criterion,
        evidence={"classes": ["0", "1"], "confusion_matrix": [[50, 5], [20, 25]]},
        observed={"recall": 0.56},
        comparator=">=",
        threshold=0.72,
        message="Recall is 0.56, outside the bound.",
    )
    return cast.finding(
        title="Recall too low",
        check_key="performance.classification",
        subject="",
        criterion=criterion,
        first_seen_run=run,
        last_seen_run=run,
        remediation="Collect more positives.",
    )


def test_the_page_shows_facts_evidence_chart_and_guidance():
    cast = ProjectCast()
    finding = finding_with_evidence(cast)

    response = client_for(cast.viewer).get(url(finding))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Recall too low</h1>" in page
    assert "Recall is 0.56, outside the bound." in page
    assert ">Recall</a></dt><dd>0.56</dd>" in page and "&gt;= 0.72" in page
    assert 'data-figure="confusion"' in page
    figures = json.loads(page.split('id="run-figures" type="application/json">')[1].split("<")[0])
    assert figures["confusion"]["data"][0]["type"] == "heatmap"
    assert "plotly-cartesian.min.js" in page
    assert "<strong>training</strong>" in page  # criterion guidance, as Markdown
    assert "Missed defaults cost money." in page
    assert "Collect more positives." in page
    assert reverse("run-detail", args=[cast.project.slug, finding.last_seen_run_id]) in page


def test_a_finding_without_a_result_says_so():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.qm).get(url(finding))

    assert b"No check result to show" in response.content
    assert b"run-figures" not in response.content


def test_the_outsider_gets_404_for_the_page_and_every_form():
    cast = ProjectCast()
    finding = cast.finding()
    action = services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")
    client = client_for(cast.outsider)

    assert client.get(url(finding)).status_code == 404
    for name, extra in [
        ("finding-comment", []),
        ("finding-status", []),
        ("finding-assign", []),
        ("finding-action-create", []),
        ("finding-action-update", [action.pk]),
    ]:
        assert client.post(url(finding, name, *extra), {"body": "x"}).status_code == 404


def test_a_viewer_sees_no_forms_and_gets_403_when_posting_them():
    cast = ProjectCast()
    finding = cast.finding()
    action = services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")
    client = client_for(cast.viewer)

    page = client.get(url(finding)).content.decode()
    buttons = ("Add comment", "Change status", "Save triage", "Add action", "status of action")
    for button in buttons:
        assert button not in page
    assert client.post(url(finding, "finding-comment"), {"body": "hi"}).status_code == 403
    assert (
        client.post(url(finding, "finding-status"), {"to": "in_progress", "version": 1}).status_code
        == 403
    )
    assert (
        client.post(url(finding, "finding-assign"), {"severity": "low", "version": 1}).status_code
        == 403
    )
    assert (
        client.post(url(finding, "finding-action-create"), {"description": "x"}).status_code == 403
    )
    assert (
        client.post(
            url(finding, "finding-action-update", action.pk), {"status": "done", "version": 1}
        ).status_code
        == 403
    )
    assert not Comment.objects.exists()
    assert CorrectiveAction.objects.count() == 1


def test_a_developer_of_the_team_comments_and_the_markdown_is_sanitised():
    cast = ProjectCast()
    finding = cast.finding()
    client = client_for(cast.dev)

    response = client.post(
        url(finding, "finding-comment"),
        {"body": "Fixed in **v3** <script>alert('x')</script> [link](javascript:alert(1))"},
    )

    assert response.status_code == 302
    assert "Comment added." in message_texts(response)
    assert Comment.objects.get().author == cast.dev
    page = client.get(url(finding)).content.decode()
    assert "Fixed in <strong>v3</strong>" in page
    assert "<script>alert" not in page
    assert "alert('x')" not in page
    assert "javascript:" not in page


def test_an_empty_comment_answers_400_with_a_message():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.dev).post(url(finding, "finding-comment"), {"body": "  "})

    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not Comment.objects.exists()


def test_a_developer_of_another_team_may_not_comment():
    cast = ProjectCast()
    finding = cast.finding()

    page = client_for(cast.other_dev).get(url(finding)).content.decode()
    response = client_for(cast.other_dev).post(url(finding, "finding-comment"), {"body": "hi"})

    assert "Add comment" not in page
    assert response.status_code == 403


def test_the_status_form_offers_only_the_moves_of_the_role():
    cast = ProjectCast()
    finding = cast.finding()

    dev_page = client_for(cast.dev).get(url(finding)).content.decode()
    qm_page = client_for(cast.qm).get(url(finding)).content.decode()

    assert 'value="in_progress"' in dev_page and 'value="false_positive"' not in dev_page
    assert 'value="false_positive"' in qm_page and 'value="verified"' in qm_page


def test_a_developer_moves_the_finding_and_history_records_it():
    cast = ProjectCast()
    finding = cast.finding()
    client = client_for(cast.dev)

    response = client.post(url(finding, "finding-status"), {"to": "in_progress", "version": 1})

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS
    assert StatusChange.objects.filter(object_id=finding.pk, to_status="in_progress").exists()
    page = client.get(url(finding)).content.decode()
    assert "Open → <strong>In progress</strong>" in page


def test_a_developer_may_not_make_a_triage_move():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.dev).post(
        url(finding, "finding-status"), {"to": "false_positive", "reason": "no", "version": 1}
    )

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_an_illegal_move_answers_400_naming_the_allowed_ones():
    cast = ProjectCast()
    finding = cast.finding(status=FindingStatus.VERIFIED)

    response = client_for(cast.qm).post(
        url(finding, "finding-status"), {"to": "fix_submitted", "version": 1}
    )

    assert response.status_code == 400
    assert b"allowed: open" in response.content


def test_a_stale_version_answers_409_and_offers_the_current_one():
    cast = ProjectCast()
    finding = cast.finding()
    services.finding_transition(finding=finding, user=cast.dev, to="in_progress", version=1)

    response = client_for(cast.dev).post(
        url(finding, "finding-status"), {"to": "fix_submitted", "version": 1}
    )

    assert response.status_code == 409
    assert b"changed by someone else" in response.content
    assert b'name="version" value="2"' in response.content
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS


def test_the_quality_manager_triages_severity_team_and_assignee():
    cast = ProjectCast()
    finding = cast.finding()
    team = TeamFactory(name="Platform")

    response = client_for(cast.qm).post(
        url(finding, "finding-assign"),
        {"severity": "critical", "assigned_team": team.pk, "assignee": cast.dev.pk, "version": 1},
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.severity, finding.assigned_team, finding.assignee) == (
        "critical",
        team,
        cast.dev,
    )


def test_a_developer_may_not_triage():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.dev).post(
        url(finding, "finding-assign"), {"severity": "low", "version": 1}
    )

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.severity == "high"


def test_the_quality_manager_adds_an_action_and_the_developer_marks_it_done():
    cast = ProjectCast()
    finding = cast.finding()

    created = client_for(cast.qm).post(
        url(finding, "finding-action-create"),
        {"description": "Retrain with balanced data", "owner": cast.dev.pk, "due_date": ""},
    )
    action = CorrectiveAction.objects.get()
    updated = client_for(cast.dev).post(
        url(finding, "finding-action-update", action.pk), {"status": "done", "version": 1}
    )

    assert created.status_code == 302 and updated.status_code == 302
    action.refresh_from_db()
    assert action.owner == cast.dev
    assert action.due_date == finding.due_date
    assert action.status == ActionStatus.DONE
    assert "Corrective action marked done." in message_texts(updated)


def test_a_developer_may_not_reject_an_action():
    cast = ProjectCast()
    finding = cast.finding()
    action = services.corrective_action_create(finding=finding, user=cast.qm, description="Fix")

    response = client_for(cast.dev).post(
        url(finding, "finding-action-update", action.pk), {"status": "rejected", "version": 1}
    )

    assert response.status_code == 403
    assert b"Only the quality manager rejects an action." in response.content
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


def test_an_action_of_another_finding_is_404():
    cast = ProjectCast()
    finding, other = cast.finding(), cast.finding()
    action = services.corrective_action_create(finding=other, user=cast.qm, description="Fix")

    response = client_for(cast.qm).post(
        url(finding, "finding-action-update", action.pk), {"status": "done", "version": 1}
    )

    assert response.status_code == 404


def test_a_get_on_a_form_endpoint_changes_nothing():
    cast = ProjectCast()
    finding = cast.finding()

    response = client_for(cast.qm).get(url(finding, "finding-status"), {"to": "in_progress"})

    assert response.status_code == 405
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


@pytest.mark.parametrize("rows", [2, 20])
def test_the_page_query_count_does_not_grow_with_comments_actions_and_history(
    rows, django_assert_max_num_queries
):
    cast = ProjectCast()
    finding = finding_with_evidence(cast)
    for index in range(rows):
        services.comment_create(finding=finding, user=cast.dev, body=f"note {index}")
        services.corrective_action_create(
            finding=finding, user=cast.qm, description=f"do {index}", owner_id=cast.dev.pk
        )
    for index in range(rows // 2):
        finding.refresh_from_db()
        target = "in_progress" if index % 2 == 0 else "open"
        services.finding_transition(
            finding=finding, user=cast.qm, to=target, reason="again", version=finding.version
        )
    client = client_for(cast.qm)

    with django_assert_max_num_queries(20):
        response = client.get(url(finding))
    assert response.status_code == 200
