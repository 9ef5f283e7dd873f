"""The quality manager's compliance decisions: frameworks followed, requirements that do not
apply, and the templates that fill a gap, each with its history."""

import pytest

from apps.audit.models import StatusChange
from apps.criteria.models import Criterion
from apps.standards.models import ProjectFramework, RequirementExclusion
from apps.standards.selectors import CoverageStatus, project_coverage
from apps.standards.services import (
    project_framework_choose,
    project_framework_unchoose,
    requirement_exclude,
    requirement_gap_fill,
    requirement_include,
    requirement_templates_missing,
)
from qualiti.errors import InvalidInput, NotFound, PermissionRefused
from tests.standards.coverage_setup import CoverageCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> CoverageCast:
    return CoverageCast()


def status_of(cast: CoverageCast, identifier: str) -> str:
    rows = project_coverage(project=cast.project, framework=cast.framework)
    return next(row.status for row in rows if row.requirement.identifier == identifier)


def history(cast: CoverageCast) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(project=cast.project).values_list("from_status", "to_status")
    )


def test_choosing_a_framework_twice_keeps_one_choice_and_unchoosing_removes_it(cast):
    first = project_framework_choose(project=cast.project, framework=cast.framework, user=cast.qm)
    again = project_framework_choose(project=cast.project, framework=cast.framework, user=cast.qm)
    assert first == again
    assert first.chosen_by == cast.qm

    project_framework_unchoose(project=cast.project, framework=cast.framework, user=cast.qm)
    project_framework_unchoose(project=cast.project, framework=cast.framework, user=cast.qm)

    assert not ProjectFramework.objects.filter(project=cast.project).exists()
    assert history(cast) == [("", "chosen"), ("chosen", "unchosen")]


@pytest.mark.parametrize("role", ["dev", "viewer", "manager"])
def test_only_the_quality_manager_and_admins_choose_frameworks(cast, role):
    with pytest.raises(PermissionRefused):
        project_framework_choose(
            project=cast.project, framework=cast.framework, user=getattr(cast, role)
        )
    project_framework_choose(project=cast.project, framework=cast.framework, user=cast.admin)
    assert ProjectFramework.objects.filter(project=cast.project).count() == 1


def test_an_outsider_is_told_the_project_does_not_exist(cast):
    with pytest.raises(NotFound):
        requirement_exclude(
            project=cast.project,
            requirement=cast.requirement("art-9"),
            justification="Not ours.",
            user=cast.outsider,
        )


@pytest.mark.parametrize("justification", ["", "   \n "])
def test_a_requirement_is_not_excluded_without_a_justification(cast, justification):
    with pytest.raises(InvalidInput) as refusal:
        requirement_exclude(
            project=cast.project,
            requirement=cast.requirement("art-9"),
            justification=justification,
            user=cast.qm,
        )

    assert refusal.value.field == "justification"
    assert not RequirementExclusion.objects.exists()


def test_excluding_makes_the_requirement_not_applicable_and_including_reverts_it(cast):
    requirement = cast.requirement("art-72")

    exclusion = requirement_exclude(
        project=cast.project,
        requirement=requirement,
        justification="  Nothing is monitored after release: the model runs once.  ",
        user=cast.qm,
    )
    assert exclusion.justification == "Nothing is monitored after release: the model runs once."
    assert exclusion.decided_by == cast.qm
    assert status_of(cast, "art-72") == CoverageStatus.NOT_APPLICABLE

    requirement_include(project=cast.project, requirement=requirement, user=cast.qm)
    requirement_include(project=cast.project, requirement=requirement, user=cast.qm)

    assert status_of(cast, "art-72") == CoverageStatus.NOT_COVERED
    assert history(cast) == [("applicable", "not_applicable"), ("not_applicable", "applicable")]


def test_excluding_again_replaces_the_justification_and_the_same_words_change_nothing(cast):
    requirement = cast.requirement("art-72")
    for words in ("First reason.", "Second reason.", "Second reason."):
        requirement_exclude(
            project=cast.project, requirement=requirement, justification=words, user=cast.qm
        )

    assert RequirementExclusion.objects.get().justification == "Second reason."
    assert len(history(cast)) == 2


def test_a_developer_may_not_exclude_a_requirement(cast):
    with pytest.raises(PermissionRefused):
        requirement_exclude(
            project=cast.project,
            requirement=cast.requirement("art-9"),
            justification="Not ours.",
            user=cast.dev,
        )


def test_filling_a_gap_adds_every_missing_template_in_one_step(cast):
    requirement = cast.requirement("art-13")
    assert status_of(cast, "art-13") == CoverageStatus.NOT_COVERED

    added = requirement_gap_fill(project=cast.project, requirement=requirement, user=cast.qm)

    assert [criterion.code for criterion in added] == ["CAL-01", "CAL-02", "PROC-01"]
    assert {c.template.code for c in Criterion.objects.filter(project=cast.project)} == {
        "CAL-01",
        "CAL-02",
        "PROC-01",
    }
    assert status_of(cast, "art-13") == CoverageStatus.FAILING  # not evaluated yet


def test_filling_a_gap_skips_the_templates_already_added(cast):
    cast.criterion("CAL-01")
    requirement = cast.requirement("art-13")
    assert [
        t.code for t in requirement_templates_missing(project=cast.project, requirement=requirement)
    ] == ["CAL-02", "PROC-01"]

    added = requirement_gap_fill(project=cast.project, requirement=requirement, user=cast.qm)

    assert [criterion.code for criterion in added] == ["CAL-02", "PROC-01"]
    with pytest.raises(InvalidInput, match="already has every catalogue template"):
        requirement_gap_fill(project=cast.project, requirement=requirement, user=cast.qm)


def test_a_developer_may_not_fill_a_gap(cast):
    with pytest.raises(PermissionRefused):
        requirement_gap_fill(
            project=cast.project, requirement=cast.requirement("art-13"), user=cast.dev
        )
    assert not Criterion.objects.filter(project=cast.project).exists()
