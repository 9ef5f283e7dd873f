"""Each weak slice is its own finding: a run's stored slices open one finding each, and a
newer model version on which one slice is no longer weak verifies that finding only."""

import numpy as np
import pytest

from apps.criteria.catalogue import TEMPLATES
from apps.evaluations.engine.evaluation import evaluate
from apps.evaluations.engine.plan import plan_parse
from apps.evaluations.models import RunStatus
from apps.evaluations.services.results import run_results_store
from apps.findings.models import Finding, FindingStatus
from apps.testplans.models import PlanCheck, TestPlan
from tests.criteria.factories import CriterionFactory
from tests.engine.conftest import context_for
from tests.engine.synthetic import datasets
from tests.engine.test_weak_segments import plant_two_weak_slices, worsen
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import ProjectCast
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db
SEG_01 = next(template for template in TEMPLATES if template["code"] == "SEG-01")


class SliceHistory:
    """A project judged by the catalogue's SEG-01, and runs on its model versions."""

    def __init__(self) -> None:
        self.cast = ProjectCast()
        project = self.cast.project
        fields = ("code", "name", "category", "check_key", "metric", "comparator", "threshold",
                  "severity", "params", "guidance")  # fmt: skip
        self.criterion = CriterionFactory(project=project, **{f: SEG_01[f] for f in fields})
        plan = TestPlan.objects.create(project=project, name="Gate", status="approved")
        self.plan_check = PlanCheck.objects.create(
            plan=plan, criterion=self.criterion, check_key=SEG_01["check_key"],
            params=SEG_01["params"],
        )  # fmt: skip

    def run(self, sequence: int, data):
        """A run of model version `sequence` on these datasets, stored by the service."""
        version = ModelVersionFactory(project=self.cast.project, sequence=sequence)
        run = EvaluationRunFactory(
            project=self.cast.project, model_version=version, status=RunStatus.RUNNING
        )
        item = {key: SEG_01[key] for key in ("metric", "comparator", "threshold")}
        plan = plan_parse(
            [{"check": SEG_01["check_key"], "params": self.plan_check.params, **item}]
        )
        report = evaluate(context_for(data), plan)
        stored = run_results_store(
            run=run,
            results=[(self.plan_check, result) for result in report.results],
            summary=report.summary(),
        )
        assert stored
        return run


def slice_findings():
    return {finding.subject: finding for finding in Finding.objects.order_by("id")}


def test_two_weak_slices_open_two_findings_and_fixing_one_verifies_it_alone():
    history = SliceHistory()
    two = datasets(9)
    plant_two_weak_slices(two.evaluation, 9)
    first = history.run(1, two)

    opened = slice_findings()
    assert len(opened) == 2
    [score_slice] = [subject for subject in opened if subject.startswith("score >= ")]
    assert set(opened) == {score_slice, "region = west"}
    assert len({finding.fingerprint for finding in opened.values()}) == 2
    assert {finding.status for finding in opened.values()} == {FindingStatus.OPEN}
    for subject, finding in opened.items():
        assert subject in finding.title
        result = first.results.get(subject=subject)
        assert result.outcome == "fail" and result.flagged_rows

    # The next model version fails only on the west: the score range is fixed.
    only_west = datasets(9)
    west = only_west.evaluation["region"] == "west"
    worsen(only_west.evaluation, west, np.random.default_rng(9))
    second = history.run(2, only_west)

    after = slice_findings()
    assert after[score_slice].status == FindingStatus.VERIFIED
    assert after["region = west"].status == FindingStatus.OPEN
    assert after["region = west"].last_seen_run == second
    assert set(after) == set(opened)  # no new finding


def test_a_slice_still_weak_but_not_reported_is_not_verified():
    """Beyond the cap a slice is still weak: its finding stays open, and is seen again."""
    history = SliceHistory()
    two = datasets(9)
    plant_two_weak_slices(two.evaluation, 9)
    history.run(1, two)
    history.plan_check.params = {**SEG_01["params"], "max_results": 1}
    history.plan_check.save()

    second = history.run(2, two)

    reported = second.results.filter(metric="slice_metric_gap").values_list("subject", flat=True)
    assert len(reported) == 1
    assert {finding.status for finding in slice_findings().values()} == {FindingStatus.OPEN}
