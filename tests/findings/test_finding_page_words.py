"""The finding page says each thing once, in words: no evidence sentence repeated as the
description, no guidance repeated under "How to fix it" or as the generated action, the
confidence interval as one phrase, checks, metrics and statuses by their names, the next step
offered first."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.evaluations.models import RunStatus
from apps.findings.models import CorrectiveAction, FindingStatus
from apps.findings.workflow import forward_first
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db

SENTENCE = "Selection rate ratio is 0.62, outside the bound (at least 0.8)."
GUIDANCE = "Rebalance the training data or post-process the threshold per group."


def page_of(user, finding) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("finding-detail", args=[finding.pk])).content.decode()


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


@pytest.fixture
def synced_finding(cast):
    """A finding as a run's sync writes it: description = the result's message,
    remediation = the criterion's guidance, one action carrying the remediation."""
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED)
    criterion = CriterionFactory(project=cast.project, code="FAIR-01", guidance=GUIDANCE)
    result = CheckResultFactory(
        run=run,
        criterion=criterion,
        observed={"demographic_parity_ratio": 0.62},
        ci={"low": 0.55, "high": 0.69, "level": 0.95, "method": "bootstrap", "resamples": 1000},
        comparator=">=",
        threshold=0.8,
        message=SENTENCE,
    )
    finding = cast.finding(
        criterion=criterion,
        check_key=result.check_key,
        subject=result.subject,
        description=SENTENCE,
        remediation=GUIDANCE,
        first_seen_run=run,
        last_seen_run=run,
    )
    CorrectiveAction.objects.create(finding=finding, description=GUIDANCE)
    return finding


def test_each_text_is_said_once(cast, synced_finding):
    page = page_of(cast.qm, synced_finding)

    assert page.count(SENTENCE) == 1  # in the evidence, not again as a description
    assert page.count(GUIDANCE) == 1  # under "How to fix it" only
    assert "Carry out the fix described under" in page
    assert 'id="description-heading"' not in page


def test_the_evidence_reads_in_words(cast, synced_finding):
    page = page_of(cast.qm, synced_finding)

    assert 'title="key: demographic_parity_ratio">Demographic parity ratio</a></dt><dd>0.62' in page
    assert "0.55 to 0.69 (95%, bootstrap, 1000 resamples)" in page
    assert "Interval of low" not in page and "Interval of level" not in page


def test_the_change_form_comes_before_the_evidence(cast, synced_finding):
    page = page_of(cast.qm, synced_finding)

    assert page.index("Change this finding") < page.index('id="evidence-heading"')


def test_the_status_select_starts_on_the_next_step_never_on_a_step_back(cast, synced_finding):
    synced_finding.status = FindingStatus.FIX_SUBMITTED
    synced_finding.save()

    page = page_of(cast.qm, synced_finding)

    select = page.split('name="to"')[1].split("</select>")[0]
    first = select.split("<option")[1]
    assert 'value="verified"' in first


@pytest.mark.parametrize(
    ("current", "targets", "expected"),
    [
        ("open", ["in_progress", "fix_submitted", "false_positive", "verified"],
         ["in_progress", "fix_submitted", "verified", "false_positive"]),
        ("fix_submitted", ["in_progress", "open", "verified"], ["verified", "in_progress", "open"]),
        ("in_progress", ["fix_submitted", "open"], ["fix_submitted", "open"]),
        ("risk_accepted", ["open"], ["open"]),
    ],
)  # fmt: skip
def test_moves_forward_come_first_nearest_first(current, targets, expected):
    assert forward_first(current, targets) == expected


def test_the_check_and_the_status_are_named_with_their_keys_on_hover(cast, synced_finding):
    synced_finding.status = FindingStatus.FIX_SUBMITTED
    synced_finding.save()

    page = page_of(cast.qm, synced_finding)

    guide = reverse("guide-check", args=["performance.classification"])
    assert f'href="{guide}"' in page
    assert 'title="key: performance.classification">Classification performance</a>' in page
    assert 'title="key: fix_submitted">Fix submitted</a>' in page
    assert "<code>performance.classification</code>" not in page
