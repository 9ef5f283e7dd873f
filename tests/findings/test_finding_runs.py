"""The finding page links back to the run that opened it and every run that judged its
check on its subject since (the results carrying its fingerprint), each with whether the
check failed or passed there."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.evaluations.models import EvaluationRun, RunStatus
from apps.findings.selectors import finding_runs
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.findings.factories import ProjectCast
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class History:
    """A check failing on v1 (opening the finding) and v2, passing on v3; around it, a
    pass before the finding existed, another subject, another criterion."""

    def __init__(self) -> None:
        self.cast = ProjectCast()
        project = self.cast.project
        self.criterion = CriterionFactory(project=project, code="FAIR-01")
        start = timezone.now() - datetime.timedelta(days=10)
        self.before = self.run(start, "pass")
        self.opened = self.run(start + datetime.timedelta(days=1), "fail")
        self.again = self.run(start + datetime.timedelta(days=2), "fail")
        self.verified = self.run(start + datetime.timedelta(days=3), "pass")
        self.elsewhere = self.run(start + datetime.timedelta(days=4), "fail", subject="age")
        self.other_criterion = self.run(
            start + datetime.timedelta(days=5), "fail", criterion=CriterionFactory(project=project)
        )
        self.finding = self.cast.finding(
            title="FAIR-01 fails on sex",
            check_key="fairness.classification",
            subject="sex",
            criterion=self.criterion,
            first_seen_run=self.opened,
            last_seen_run=self.again,
        )

    def run(self, when, outcome, *, subject="sex", criterion=None) -> EvaluationRun:
        run = EvaluationRunFactory(
            project=self.cast.project,
            model_version=ModelVersionFactory(project=self.cast.project),
            status=RunStatus.SUCCEEDED,
            finished_at=when,
        )
        EvaluationRun.objects.filter(pk=run.pk).update(created_at=when)
        run.refresh_from_db()
        CheckResultFactory(
            run=run, criterion=criterion or self.criterion, check_key="fairness.classification",
            category="fairness", subject=subject, outcome=outcome,
        )  # fmt: skip
        # A second plan check of the same criterion may pass where the first fails.
        if outcome == "fail":
            CheckResultFactory(
                run=run, criterion=criterion or self.criterion,
                check_key="fairness.classification", category="fairness", subject=subject,
                outcome="pass", plan_check=None, metric="other",
            )  # fmt: skip
        return run


def test_the_runs_of_a_finding_are_those_that_judged_its_check_since_it_opened():
    history = History()

    runs = finding_runs(finding=history.finding)

    assert runs == [history.verified, history.again, history.opened]
    assert [run.failures for run in runs] == [0, 1, 1]


def test_the_runs_are_read_in_one_query(django_assert_num_queries):
    history = History()
    finding = (
        type(history.finding).objects.select_related("first_seen_run").get(pk=history.finding.pk)
    )

    with django_assert_num_queries(1):
        runs = finding_runs(finding=finding)
        assert [run.model_version.sequence for run in runs]  # loaded with the runs


def test_the_finding_page_links_to_the_run_that_opened_it_and_the_runs_since():
    history = History()
    slug = history.cast.project.slug

    html = (
        client_for(history.cast.viewer)
        .get(reverse("finding-detail", args=[history.finding.pk]))
        .content.decode()
    )

    section = html.split('id="finding-runs-heading"')[1].split("</section>")[0]
    opened = reverse("run-detail", args=[slug, history.opened.pk])
    assert f'Opened by <a href="{opened}">run {history.opened.pk}</a>' in section
    again = reverse("run-detail", args=[slug, history.again.pk])
    assert f'last seen in <a href="{again}">run {history.again.pk}</a>' in section
    rows = section.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 3
    for row, run, outcome in zip(
        rows,
        [history.verified, history.again, history.opened],
        ["passed", "failed", "failed"],
        strict=True,
    ):
        link = reverse("run-detail", args=[slug, run.pk])
        assert f'<a href="{link}">Run {run.pk}</a>' in row
        assert f"{outcome}</td>" in row
    assert "opened it" in rows[2] and "opened it" not in rows[0]
    for hidden in (history.before, history.elsewhere, history.other_criterion):
        assert f"Run {hidden.pk}</a>" not in section


def test_a_finding_opened_by_hand_says_no_run_raised_it():
    cast = ProjectCast()
    finding = cast.finding()

    html = client_for(cast.qm).get(reverse("finding-detail", args=[finding.pk])).content.decode()

    assert finding_runs(finding=finding) == []
    assert "No run raised this finding: it was opened by hand." in html
