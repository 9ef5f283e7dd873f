"""The search selector: what it finds by name, code and id, only ever within the user's
projects (counts included), in a fixed number of queries."""

import pytest

from apps.dashboards.selectors.search import PER_GROUP, search
from apps.testplans.models import TestPlan
from qualiti.errors import InvalidInput
from tests.criteria.factories import CriterionFactory
from tests.evaluations.factories import EvaluationRunFactory
from tests.findings.factories import FindingFactory, ProjectCast
from tests.projects.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


def found(results, kind: str) -> list:
    return next(group.rows for group in results.groups if group.kind == kind)


def total(results, kind: str) -> int:
    return next(group.total for group in results.groups if group.kind == kind)


@pytest.fixture
def two_projects():
    """Two projects alike in every name, so only scoping tells their rows apart."""
    mine, theirs = ProjectCast(), ProjectCast()
    for cast, name in ((mine, "Credit scoring"), (theirs, "Credit limits")):
        cast.project.name = name
        cast.project.save()
        criterion = CriterionFactory(project=cast.project, code="FAIR-01")
        FindingFactory(project=cast.project, title="Parity gap by sex", criterion=criterion)
        EvaluationRunFactory(project=cast.project)
    return mine, theirs


def test_a_viewer_sees_only_their_projects_objects_and_counts(two_projects):
    mine, theirs = two_projects
    FindingFactory.create_batch(12, project=theirs.project, title="Parity gap by age")

    for query in ("credit", "parity", "fair-01", "gate"):
        results = search(user=mine.viewer, query=query)
        for group in results.groups:
            assert {row.project_id if group.kind != "projects" else row.pk
                    for row in group.rows} <= {mine.project.pk}, (query, group.kind)  # fmt: skip
            assert group.total == len(group.rows), (query, group.kind)
    assert total(search(user=mine.viewer, query="parity"), "findings") == 1


def test_an_outsider_finds_nothing_even_by_id(two_projects):
    mine, _ = two_projects
    finding = mine.project.findings.get()
    results = search(user=mine.outsider, query=f"#{finding.pk}")
    assert results.total == 0
    assert search(user=mine.outsider, query="credit").total == 0


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_admins_and_management_find_every_projects_objects(two_projects, role):
    mine, theirs = two_projects
    results = search(user=getattr(mine, role), query="credit")
    assert {project.pk for project in found(results, "projects")} == {
        mine.project.pk,
        theirs.project.pk,
    }
    assert total(search(user=getattr(mine, role), query="FAIR-01"), "findings") == 2


def test_a_superuser_finds_every_project(two_projects):
    mine, _ = two_projects
    mine.outsider.is_superuser = True
    mine.outsider.save()
    assert total(search(user=mine.outsider, query="credit"), "projects") == 2


def test_projects_are_found_by_name_or_slug_in_any_case(two_projects):
    mine, _ = two_projects
    assert found(search(user=mine.qm, query="CREDIT sc"), "projects") == [mine.project]
    assert found(search(user=mine.qm, query=mine.project.slug), "projects") == [mine.project]


def test_model_versions_are_found_by_label_number_or_project():
    cast = ProjectCast()
    first = ModelVersionFactory(project=cast.project, label="baseline-logreg", sequence=1)
    second = ModelVersionFactory(project=cast.project, label="gbm tuned", sequence=2)

    assert found(search(user=cast.dev, query="LOGREG"), "model_versions") == [first]
    assert found(search(user=cast.dev, query="v2"), "model_versions") == [second]
    by_project = found(search(user=cast.dev, query=cast.project.name), "model_versions")
    assert by_project == [second, first]  # newest version first


def test_runs_are_found_by_number_with_or_without_hash_and_by_plan_name():
    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project)
    EvaluationRunFactory(project=cast.project)

    assert found(search(user=cast.viewer, query=f"#{run.pk}"), "runs")[0] == run
    assert found(search(user=cast.viewer, query=str(run.pk)), "runs")[0] == run
    assert total(search(user=cast.viewer, query="gat"), "runs") == 2  # the plan "Gate"


def test_findings_are_found_by_id_title_code_check_and_subject():
    cast = ProjectCast()
    criterion = CriterionFactory(project=cast.project, code="DQ-07")
    finding = FindingFactory(
        project=cast.project,
        title="Too many missing incomes",
        criterion=criterion,
        check_key="data.missing_values",
        subject="income",
    )
    FindingFactory(project=cast.project, title="Something else")

    for query in (f"#{finding.pk}", str(finding.pk), "missing INCOMES", "dq-07",
                  "data.missing_values", "income"):  # fmt: skip
        assert found(search(user=cast.viewer, query=query), "findings")[0] == finding, query


def test_the_exact_number_comes_before_text_that_holds_it():
    cast = ProjectCast()
    target = FindingFactory(project=cast.project)
    FindingFactory(project=cast.project, title=f"Seen in batch {target.pk}")
    results = search(user=cast.qm, query=str(target.pk))
    assert found(results, "findings")[0] == target
    assert total(results, "findings") == 2


def test_each_group_shows_a_few_and_counts_the_rest():
    cast = ProjectCast()
    FindingFactory.create_batch(PER_GROUP + 3, project=cast.project, title="Drift in income")
    group = next(g for g in search(user=cast.qm, query="drift").groups if g.kind == "findings")
    assert len(group.rows) == PER_GROUP
    assert (group.total, group.more) == (PER_GROUP + 3, 3)


def test_a_group_with_no_match_takes_one_query(django_assert_num_queries):
    cast = ProjectCast()
    with django_assert_num_queries(4):
        assert search(user=cast.qm, query="nothing like it").total == 0


def test_an_empty_or_blank_query_searches_nothing(django_assert_num_queries):
    cast = ProjectCast()
    with django_assert_num_queries(0):
        results = search(user=cast.qm, query="   \t ")
    assert results.query == ""
    assert results.groups == []


def test_a_query_over_200_characters_is_refused_with_a_message():
    cast = ProjectCast()
    with pytest.raises(InvalidInput, match="at most 200 characters, this one has 201"):
        search(user=cast.qm, query="x" * 201)
    search(user=cast.qm, query="x" * 200)


def test_a_nul_character_is_refused_and_a_huge_number_matches_nothing():
    cast = ProjectCast()
    with pytest.raises(InvalidInput):
        search(user=cast.qm, query="a\x00b")
    assert search(user=cast.qm, query="#" + "9" * 30).total == 0


def test_two_queries_per_group_whatever_the_number_of_matches(django_assert_num_queries):
    small, large = ProjectCast(), ProjectCast()
    for cast, count in ((small, 1), (large, PER_GROUP + 5)):
        cast.project.name = "Shared name"
        cast.project.save()
        plan = TestPlan.objects.create(project=cast.project, name="Shared plan", status="approved")
        criterion = CriterionFactory(project=cast.project, code="PERF-01")
        for _ in range(count):
            EvaluationRunFactory(project=cast.project, test_plan=plan)
            FindingFactory(project=cast.project, title="Shared", criterion=criterion)

    for cast, matches in ((small, 1), (large, PER_GROUP + 5)):
        with django_assert_num_queries(8):
            results = search(user=cast.dev, query="shared")
        assert [group.total for group in results.groups] == [1, matches, matches, matches]
        with django_assert_num_queries(0):  # what the page shows came with the rows
            shown = [
                (row.project.slug, row.test_plan.name, row.model_version.label)
                for row in found(results, "runs")
            ]
            shown += [(row.project.slug, row.criterion.code) for row in found(results, "findings")]
            shown += [(row.project.slug, row.label) for row in found(results, "model_versions")]
        assert len(shown) == 3 * min(matches, PER_GROUP)
