"""The Compliance tab: members read it; only the quality manager and admins change it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.criteria.models import Criterion
from apps.standards.models import ProjectFramework, RequirementExclusion
from apps.standards.services import project_framework_choose
from tests.standards.coverage_setup import CoverageCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> CoverageCast:
    return CoverageCast()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, cast: CoverageCast, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def page(cast: CoverageCast, user, framework: str = "eu-ai-act"):
    return client_for(user).get(url("compliance", cast), {"framework": framework})


def test_a_viewer_reads_the_coverage_gaps_first_without_any_form(cast):
    cal_01 = cast.criterion("CAL-01")
    cast.run({cal_01: "fail"})

    response = page(cast, cast.viewer)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-current="page">Compliance</a>' in body
    assert body.index("Not covered</span><p") < body.index("Failing</span><p")
    assert "CAL-01</strong> " in body and "Failed (<a href=" in body
    assert "Catalogue templates that would cover it: <strong>DQ-11</strong>" in body
    assert "Add these templates" not in body
    assert "Mark not applicable" not in body
    assert "Follow EU Artificial Intelligence Act" not in body


def test_the_quality_manager_sees_the_forms(cast):
    body = page(cast, cast.qm).content.decode()

    assert "Add these templates" in body
    assert "Mark not applicable" in body
    assert '<label for="justification-' in body
    assert "Follow EU Artificial Intelligence Act" in body


def test_the_page_shows_a_followed_framework_first_and_refuses_an_unknown_one(cast):
    project_framework_choose(
        project=cast.project, framework=cast.requirement("robustness", "iso-iec-25059").framework,
        user=cast.qm,
    )  # fmt: skip
    client = client_for(cast.viewer)

    default = client.get(url("compliance", cast)).content.decode()

    assert '<h2 id="framework-heading">ISO/IEC 25059' in default
    assert '<optgroup label="Followed by this project">' in default
    assert client.get(url("compliance", cast), {"framework": "nope"}).status_code == 404


def test_an_outsider_gets_404(cast):
    assert page(cast, cast.outsider).status_code == 404


@pytest.mark.parametrize("role", ["dev", "viewer"])
def test_a_developer_or_viewer_cannot_post_any_decision(cast, role):
    client = client_for(getattr(cast, role))
    requirement = cast.requirement("art-13")
    posts = [
        (url("compliance-requirement-fill", cast, requirement.pk), {}),
        (url("compliance-requirement-exclude", cast, requirement.pk), {"justification": "No."}),
        (url("compliance-requirement-include", cast, requirement.pk), {}),
        (url("compliance-framework-follow", cast), {"framework": "eu-ai-act"}),
        (url("compliance-framework-unfollow", cast), {"framework": "eu-ai-act"}),
    ]

    assert [client.post(path, data).status_code for path, data in posts] == [403] * 5
    assert not Criterion.objects.filter(project=cast.project).exists()
    assert not RequirementExclusion.objects.exists()
    assert not ProjectFramework.objects.exists()


def test_add_these_templates_adds_the_gaps_templates_in_one_step(cast):
    requirement = cast.requirement("art-13")

    client = client_for(cast.qm)
    response = client.post(url("compliance-requirement-fill", cast, requirement.pk))

    assert response.status_code == 302
    assert response["Location"].endswith(f"?framework=eu-ai-act#requirement-{requirement.pk}")
    codes = Criterion.objects.filter(project=cast.project).values_list("code", flat=True)
    assert sorted(codes) == ["CAL-01", "CAL-02", "PROC-01"]
    body = client.get(response["Location"]).content.decode()
    assert (
        "Added 3 criteria: CAL-01, CAL-02, PROC-01. Next, put CAL-01, CAL-02 in a test plan "
        "so a run judges them and PROC-01&#x27;s question waits for an answer on its page."
    ) in body


def test_not_applicable_needs_a_justification_and_then_shows_it(cast):
    requirement = cast.requirement("art-72")
    client = client_for(cast.qm)
    action = url("compliance-requirement-exclude", cast, requirement.pk)

    refused = client.post(action, {"justification": "   "})
    made = client.post(action, {"justification": "Nothing runs after release."})

    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.content.decode()
    assert made.status_code == 302
    body = client.get(made["Location"]).content.decode()
    assert 'Not applicable</span><p class="reason muted">Nothing runs after release.</p>' in body
    assert "Make it applicable again" in body

    client.post(url("compliance-requirement-include", cast, requirement.pk))
    assert not RequirementExclusion.objects.exists()


def test_the_quality_manager_follows_and_stops_following_a_framework(cast):
    client = client_for(cast.qm)

    client.post(url("compliance-framework-follow", cast), {"framework": "eu-ai-act"})
    assert ProjectFramework.objects.filter(project=cast.project).count() == 1
    assert "Stop following EU Artificial Intelligence Act" in page(cast, cast.qm).content.decode()

    client.post(url("compliance-framework-unfollow", cast), {"framework": "eu-ai-act"})
    assert not ProjectFramework.objects.exists()


def test_the_page_costs_the_same_queries_for_a_small_and_a_large_framework(cast):
    for code in ("CAL-01", "PERF-01", "FAIR-01", "DRIFT-01"):
        cast.criterion(code)
    cast.run({criterion: ["pass", "fail"] for criterion in cast.project.criteria.all()})
    client = client_for(cast.qm)
    client.get(url("compliance", cast))  # the session and the user, read once

    counts = []
    for framework in ("iso-iec-25059", "eu-ai-act"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("compliance", cast), {"framework": framework}).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_with_no_framework_loaded_the_tab_says_so_instead_of_404(cast):
    from apps.standards.models import Framework
    from apps.standards.services import frameworks_sync

    Framework.objects.all().delete()
    response = client_for(cast.viewer).get(url("compliance", cast))
    assert response.status_code == 200
    assert "No regulation or standard is loaded" in response.content.decode()

    assert frameworks_sync() == 4
    assert "No regulation or standard is loaded" not in page(cast, cast.viewer).content.decode()
