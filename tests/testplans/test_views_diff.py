import pytest
from django.test import Client
from django.urls import reverse

from apps.criteria.services import criterion_update
from apps.testplans import services
from apps.testplans.selectors import plan_document_diff, plan_version_diff
from tests.criteria.factories import CriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def item(criterion: str, check: str, threshold: float = 0.8, **params) -> dict:
    return {
        "criterion": criterion,
        "check": check,
        "params": params,
        "metric": "m",
        "comparator": ">=",
        "threshold": threshold,
        "severity": "high",
        "blocking": False,
    }


# The pure comparison of two documents


def test_it_finds_added_removed_and_changed_checks():
    old = [item("A", "x.one", alpha=0.05), item("B", "x.two")]
    new = [item("A", "x.one", threshold=0.9, alpha=0.01, seed=1), item("C", "x.three")]

    diff = plan_document_diff(old, new)

    assert [(i["criterion"], i["check"]) for i in diff["added"]] == [("C", "x.three")]
    assert [(i["criterion"], i["check"]) for i in diff["removed"]] == [("B", "x.two")]
    assert diff["changed"] == [
        {
            "criterion": "A",
            "check": "x.one",
            "changes": [
                {"what": "threshold", "old": 0.8, "new": 0.9},
                {"what": "parameter alpha", "old": 0.05, "new": 0.01},
                {"what": "parameter seed", "old": None, "new": 1},
            ],
        }
    ]


def test_identical_documents_have_no_difference():
    document = [item("A", "x.one", alpha=0.05)]

    assert plan_document_diff(document, list(document)) == {
        "added": [],
        "removed": [],
        "changed": [],
    }


def test_a_check_held_twice_is_compared_with_its_own_counterpart():
    old = [item("A", "x.one", alpha=0.1), item("A", "x.one", alpha=0.2)]
    new = [item("A", "x.one", alpha=0.1)]

    diff = plan_document_diff(old, new)

    assert diff["changed"] == []
    assert [i["params"] for i in diff["removed"]] == [{"alpha": 0.2}]


# Two stored versions and the page


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


@pytest.fixture
def versions(cast):
    """v1 approved with AUC >= 0.75 and n_bootstrap 100; v2 with n_bootstrap 500, the
    criterion's threshold raised to 0.8, and a new drift check."""
    auc = CriterionFactory(project=cast.project, code="PERF-01")
    drift = CriterionFactory(
        project=cast.project, code="DRIFT-01", check_key="drift.columns",
        metric="drifted_share", comparator="<=", threshold=0.3, category="drift",
    )  # fmt: skip
    v1 = services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")
    services.plan_check_add(user=None, plan=v1, criterion=auc, params={"n_bootstrap": 100})
    services.test_plan_approve(plan=v1, user=cast.qm)
    v2 = services.test_plan_revise(plan=v1, user=cast.qm)
    services.plan_check_update(user=None, check=v2.checks.get(), params={"n_bootstrap": 500})
    services.plan_check_add(user=None, plan=v2, criterion=drift)
    criterion_update(criterion=auc, user=cast.qm, threshold=0.8)
    return v1, v2


def test_two_versions_differ_by_the_added_check_the_parameter_and_the_threshold(versions):
    v1, v2 = versions

    diff = plan_version_diff(old=v1, new=v2)

    assert [(i["criterion"], i["check"]) for i in diff["added"]] == [("DRIFT-01", "drift.columns")]
    assert diff["removed"] == []
    (changed,) = diff["changed"]
    assert changed["criterion"] == "PERF-01"
    assert {"what": "threshold", "old": 0.75, "new": 0.8} in changed["changes"]
    assert {"what": "parameter n_bootstrap", "old": 100, "new": 500} in changed["changes"]


def test_the_diff_page_shows_what_changed(cast, versions):
    v1, v2 = versions
    client = Client()
    client.force_login(cast.viewer)

    response = client.get(reverse("plan-diff", args=[cast.project.slug, v2.pk]), {"against": v1.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Changes from Release gate v1 to Release gate v2" in body
    assert "Checks added (1)" in body and "DRIFT-01" in body
    assert "parameter n_bootstrap" in body and ">100<" in body and ">500<" in body
    assert "Checks removed (0)" in body


def test_the_diff_defaults_to_the_previous_version(cast, versions):
    _, v2 = versions
    client = Client()
    client.force_login(cast.qm)

    response = client.get(reverse("plan-diff", args=[cast.project.slug, v2.pk]))

    assert "Changes from Release gate v1 to Release gate v2" in response.content.decode()


def test_comparing_with_a_plan_of_another_project_is_404(cast, versions):
    _, v2 = versions
    other = ProjectCast()
    foreign = services.test_plan_create(project=other.project, user=other.qm, name="Theirs")
    client = Client()
    client.force_login(cast.qm)

    response = client.get(
        reverse("plan-diff", args=[cast.project.slug, v2.pk]), {"against": foreign.pk}
    )

    assert response.status_code == 404


def test_an_outsider_cannot_see_the_diff(cast, versions):
    v1, v2 = versions
    client = Client()
    client.force_login(cast.outsider)

    response = client.get(reverse("plan-diff", args=[cast.project.slug, v2.pk]), {"against": v1.pk})

    assert response.status_code == 404
