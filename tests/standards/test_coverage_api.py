"""GET /api/v1/coverage/ and the decisions behind it over the API."""

import pytest
from rest_framework.test import APIClient

from apps.standards.models import ProjectFramework, RequirementExclusion
from tests.standards.coverage_setup import CoverageCast

pytestmark = pytest.mark.django_db

COVERAGE = "/api/v1/coverage/"


@pytest.fixture
def cast() -> CoverageCast:
    return CoverageCast()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def coverage(cast: CoverageCast, user, **params):
    query = {"project": cast.project.slug, "framework": "eu-ai-act", **params}
    return client_for(user).get(COVERAGE, {k: v for k, v in query.items() if v is not None})


def test_it_answers_one_row_per_requirement_gaps_first_with_criteria_and_suggestions(cast):
    cal_01 = cast.criterion("CAL-01")
    run = cast.run({cal_01: "fail"})

    response = coverage(cast, cast.viewer)

    assert response.status_code == 200
    rows = {row["requirement"]["id"]: row for row in response.json()}
    assert len(rows) == cast.framework.requirements.count()
    assert response.json()[0]["status"] == "not_covered"
    assert rows["art-13"] == {
        "requirement": {
            "id": "art-13",
            "group": "Article 13",
            "title": cast.requirement("art-13").title,
            "url": cast.requirement("art-13").url,
        },
        "status": "failing",
        "reason": f"CAL-01 failed in run {run.pk}.",
        "criteria": [
            {
                "code": "CAL-01",
                "name": cal_01.name,
                "kind": "measured",
                "outcome": "fail",
                "run": run.pk,
                "attestation": None,
            }
        ],
        "suggested_templates": [],
        "exclusion": None,
    }
    assert rows["art-10"]["suggested_templates"] == ["DQ-11", "DQ-12"]


def test_a_not_applicable_row_carries_the_decision(cast):
    RequirementExclusion.objects.create(
        project=cast.project,
        requirement=cast.requirement("art-72"),
        justification="Nothing runs after release.",
        decided_by=cast.qm,
    )

    row = coverage(cast, cast.dev).json()[-1]

    assert row["status"] == "not_applicable"
    assert row["reason"] == "Nothing runs after release."
    assert row["exclusion"]["decided_by"] == cast.qm.username


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"project": None}, "project"),
        ({"framework": None}, "framework"),
        ({"framework": ""}, "framework"),
        ({"framework": "no-such-act"}, "framework"),
    ],
)
def test_a_missing_or_unknown_parameter_is_400_naming_it(cast, params, field):
    response = coverage(cast, cast.qm, **params)

    assert response.status_code == 400
    assert response.json()["field"] == field


def test_a_project_the_caller_may_not_see_is_404_like_one_that_does_not_exist(cast):
    assert coverage(cast, cast.outsider).status_code == 404
    assert coverage(cast, cast.qm, project="no-such-project").status_code == 404
    assert coverage(cast, cast.manager).status_code == 200  # management sees every project


def test_the_query_count_does_not_grow_with_requirements_or_results(
    cast, django_assert_max_num_queries
):
    for code in ("CAL-01", "CAL-02", "PERF-01", "PERF-07", "FAIR-01", "DQ-01", "DRIFT-01"):
        cast.criterion(code)
    criteria = list(cast.project.criteria.all())
    cast.run({criterion: ["pass", "fail"] for criterion in criteria})
    cast.run({criterion: "pass" for criterion in criteria})
    client = client_for(cast.viewer)
    with django_assert_max_num_queries(20) as small:  # 8 requirements
        client.get(COVERAGE, {"project": cast.project.slug, "framework": "iso-iec-25059"})

    with django_assert_max_num_queries(len(small.captured_queries)):  # 23 requirements
        client.get(COVERAGE, {"project": cast.project.slug, "framework": "eu-ai-act"})


def test_the_quality_manager_chooses_a_framework_and_a_developer_may_not(cast):
    body = {"project": cast.project.slug, "framework": "eu-ai-act"}

    assert client_for(cast.dev).post("/api/v1/project-frameworks/", body).status_code == 403
    response = client_for(cast.qm).post("/api/v1/project-frameworks/", body)

    assert response.status_code == 201
    assert response.json()["framework"] == "eu-ai-act"
    assert response.json()["chosen_by"] == cast.qm.username
    choice = ProjectFramework.objects.get(project=cast.project)
    gone = client_for(cast.qm).delete(f"/api/v1/project-frameworks/{choice.pk}/")
    assert gone.status_code == 204
    assert not ProjectFramework.objects.exists()


def test_marking_a_requirement_not_applicable_needs_a_justification(cast):
    body = {"project": cast.project.slug, "framework": "eu-ai-act", "requirement": "art-72"}
    client = client_for(cast.qm)

    blank = client.post("/api/v1/requirement-exclusions/", {**body, "justification": "  "})
    unknown = client.post(
        "/api/v1/requirement-exclusions/",
        {**body, "requirement": "art-999", "justification": "Why not."},
    )
    made = client.post(
        "/api/v1/requirement-exclusions/", {**body, "justification": "Nothing after release."}
    )

    assert blank.status_code == 400
    assert "justification" in blank.json()
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "requirement"
    assert made.status_code == 201
    assert made.json() | {"id": 0, "decided_at": ""} == {
        "id": 0,
        "project": cast.project.slug,
        "framework": "eu-ai-act",
        "requirement": "art-72",
        "justification": "Nothing after release.",
        "decided_by": cast.qm.username,
        "decided_at": "",
    }
    assert coverage(cast, cast.qm).json()[-1]["status"] == "not_applicable"
