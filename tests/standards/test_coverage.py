"""A project's coverage of a framework: what each requirement's criteria say, gaps first."""

import pytest

from apps.criteria import selectors as criteria_selectors
from apps.evaluations.models import RunStatus
from apps.standards.models import Framework, RequirementExclusion
from apps.standards.selectors import (
    CoverageStatus,
    coverage_counts,
    project_coverage,
    project_framework_coverage,
)
from apps.standards.services import project_framework_choose
from tests.criteria.factories import CriterionFactory
from tests.standards.coverage_setup import CoverageCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> CoverageCast:
    return CoverageCast()


def rows_by_id(cast: CoverageCast, **options) -> dict:
    rows = project_coverage(project=cast.project, framework=cast.framework, **options)
    return {row.requirement.identifier: row for row in rows}


def test_a_project_without_criteria_covers_nothing_and_is_offered_the_mapped_templates(cast):
    rows = rows_by_id(cast)

    assert {row.status for row in rows.values()} == {CoverageStatus.NOT_COVERED}
    assert len(rows) == cast.framework.requirements.count()
    assert [t.code for t in rows["art-13"].suggested_templates] == ["CAL-01", "CAL-02", "PROC-01"]
    assert rows["annex-iv-8"].suggested_templates == []  # no catalogue template maps to it


def test_a_criterion_added_but_never_run_makes_its_requirements_failing_not_evaluated_yet(cast):
    cast.criterion("CAL-01")

    rows = rows_by_id(cast)

    assert rows["art-13"].status == CoverageStatus.FAILING
    assert rows["art-13"].reason == "CAL-01 not evaluated yet."
    assert [item.outcome for item in rows["art-13"].criteria] == ["not_evaluated"]
    assert rows["art-13"].suggested_templates == []  # a failing row is no gap to fill
    assert rows["art-15"].status == CoverageStatus.FAILING  # CAL-01 maps to it too
    assert rows["art-10"].status == CoverageStatus.NOT_COVERED


def test_a_requirement_is_satisfied_when_every_criterion_passed_in_the_latest_run(cast):
    cal_01, cal_02 = cast.criterion("CAL-01"), cast.criterion("CAL-02")
    run = cast.run({cal_01: "pass", cal_02: ["pass", "skipped"]})

    row = rows_by_id(cast)["art-13"]

    assert row.status == CoverageStatus.SATISFIED
    assert [(item.criterion.code, item.outcome, item.run_id) for item in row.criteria] == [
        ("CAL-01", "pass", run.pk),
        ("CAL-02", "pass", run.pk),
    ]


def test_a_failing_result_in_a_newer_run_makes_the_requirement_failing_and_says_where(cast):
    cal_01, cal_02 = cast.criterion("CAL-01"), cast.criterion("CAL-02")
    cast.run({cal_01: "pass", cal_02: "pass"})
    newer = cast.run({cal_02: ["pass", "fail"]})  # one subject fails: the criterion fails

    row = rows_by_id(cast)["art-13"]

    assert row.status == CoverageStatus.FAILING
    assert row.reason == f"CAL-02 failed in run {newer.pk}."
    assert {item.criterion.code: item.outcome for item in row.criteria} == {
        "CAL-01": "pass",  # its latest succeeded run that judged it is the older one
        "CAL-02": "fail",
    }


def test_runs_that_did_not_succeed_do_not_count(cast):
    annex = cast.criterion("PERF-07")
    cast.run({annex: "pass"})
    cast.run({annex: "fail"}, status=RunStatus.FAILED)
    cast.run({annex: "fail"}, status=RunStatus.RUNNING)

    assert rows_by_id(cast)["annex-iv-4"].status == CoverageStatus.SATISFIED


def test_an_error_or_a_skip_is_not_evidence_and_failures_are_named_first(cast):
    cal_01, cal_02 = cast.criterion("CAL-01"), cast.criterion("CAL-02")
    run = cast.run({cal_01: "error", cal_02: "fail"})

    row = rows_by_id(cast)["art-13"]

    assert row.status == CoverageStatus.FAILING
    assert row.reason == f"CAL-02 failed in run {run.pk}; CAL-01 ended in an error in run {run.pk}."


def test_a_run_report_judges_by_that_run_only(cast):
    annex = cast.criterion("PERF-07")
    older = cast.run({annex: "fail"})
    cast.run({annex: "pass"})

    assert rows_by_id(cast)["annex-iv-4"].status == CoverageStatus.SATISFIED
    assert rows_by_id(cast, run=older)["annex-iv-4"].status == CoverageStatus.FAILING


def test_an_excluded_requirement_is_not_applicable_with_its_justification(cast):
    RequirementExclusion.objects.create(
        project=cast.project,
        requirement=cast.requirement("art-72"),
        justification="The model is retired after one season; nothing is monitored.",
        decided_by=cast.qm,
    )

    row = rows_by_id(cast)["art-72"]

    assert row.status == CoverageStatus.NOT_APPLICABLE
    assert row.reason == "The model is retired after one season; nothing is monitored."
    assert row.exclusion.decided_by == cast.qm


def test_gaps_come_first_then_failing_satisfied_and_not_applicable(cast):
    annex, cal_01 = cast.criterion("PERF-07"), cast.criterion("CAL-01")
    cast.run({annex: "pass", cal_01: "fail"})
    RequirementExclusion.objects.create(
        project=cast.project, requirement=cast.requirement("art-9"), justification="Not ours."
    )

    rows = project_coverage(project=cast.project, framework=cast.framework)
    statuses = [row.status for row in rows]

    assert statuses == sorted(statuses, key=list(CoverageStatus).index)
    assert statuses[0] == CoverageStatus.NOT_COVERED
    assert statuses[-1] == CoverageStatus.NOT_APPLICABLE
    gaps = [row.requirement.position for row in rows if row.status == "not_covered"]
    assert gaps == sorted(gaps)  # in the framework's own order within a status
    assert coverage_counts(rows) == {
        "not_covered": cast.framework.requirements.count() - 4,
        "failing": 2,  # art-13 and art-15, which CAL-01 gives evidence for
        "satisfied": 1,  # annex-iv-4
        "not_applicable": 1,  # art-9
    }


def test_suggested_templates_leave_out_a_code_the_project_already_uses(cast):
    CriterionFactory(project=cast.project, code="DRIFT-03", template=None)  # custom, same code

    row = rows_by_id(cast)["art-72"]

    assert row.status == CoverageStatus.NOT_COVERED
    assert [t.code for t in row.suggested_templates] == [
        "DRIFT-01",
        "DRIFT-02",
        "DRIFT-04",
        "DRIFT-05",
        "DRIFT-08",
        "PERF-08",
        "PROC-06",
        "PROC-08",
    ]


def test_a_process_criterion_is_unanswered_until_attestations_exist(cast, monkeypatch):
    cast.process_criterion("art-9")
    # Before the attestations' reader exists, every process criterion is unanswered.
    monkeypatch.delattr(criteria_selectors, "process_states_for_project", raising=False)

    row = rows_by_id(cast)["art-9"]

    assert row.status == CoverageStatus.FAILING
    assert row.reason == "PROC-RISK not answered yet."
    assert [(item.criterion.kind, item.outcome) for item in row.criteria] == [
        ("process", "unanswered")
    ]


@pytest.mark.parametrize(
    ("state", "status"),
    [("satisfied", "satisfied"), ("failing", "failing"), ("pending", "failing")],
)
def test_a_process_criterion_takes_its_attestations_state(cast, monkeypatch, state, status):
    criterion = cast.process_criterion("art-9")

    class State:
        def __init__(self, status: str) -> None:
            self.status, self.attestation = status, "the attestation"

    def reader(*, project_id: int) -> dict:
        assert project_id == cast.project.pk
        return {criterion.pk: State(state)}

    monkeypatch.setattr(criteria_selectors, "process_states_for_project", reader, raising=False)

    row = rows_by_id(cast)["art-9"]

    assert row.status == status
    assert row.criteria[0].attestation == "the attestation"


def test_coverage_costs_the_same_queries_for_a_small_and_a_large_framework(
    cast, django_assert_num_queries
):
    for code in ("CAL-01", "CAL-02", "PERF-01", "PERF-07", "FAIR-01", "DQ-01", "DRIFT-01"):
        cast.criterion(code)
    criteria = list(cast.project.criteria.all())
    cast.run({criterion: ["pass", "fail"] for criterion in criteria})
    cast.run({criterion: "pass" for criterion in criteria})
    small = Framework.objects.get(identifier="iso-iec-25059")

    with django_assert_num_queries(5):
        project_coverage(project=cast.project, framework=small)
    with django_assert_num_queries(5):
        project_coverage(project=cast.project, framework=cast.framework)


def test_the_reports_see_the_chosen_frameworks_only(cast):
    project_framework_choose(project=cast.project, framework=cast.framework, user=cast.qm)

    coverages = project_framework_coverage(project=cast.project)

    assert [coverage.framework.identifier for coverage in coverages] == ["eu-ai-act"]
    assert sum(coverages[0].counts.values()) == cast.framework.requirements.count()
