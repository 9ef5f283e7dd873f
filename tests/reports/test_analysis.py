"""The quality manager's analysis of a run: who may write it, what it must say, and how the
run page shows it (sanitised Markdown) and offers "Sign the report"."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports.models import RunAnalysis
from apps.reports.services_signing import run_analysis_save
from qualiti.errors import InvalidInput, NotFound, PermissionRefused
from tests.reports.signing_setup import SigningSetup

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def analysis_url(run) -> str:
    return reverse("run-analysis", args=[run.project.slug, run.pk])


def run_page(user, run) -> str:
    response = client_for(user).get(reverse("run-detail", args=[run.project.slug, run.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["qm", "admin"])
def test_it_saves_the_analysis_of_the_quality_manager_and_an_admin(role):
    setup = SigningSetup()
    user = getattr(setup, role)

    run_analysis_save(run=setup.run, user=user, text=" Fine. ", conclusion="release", conditions="")

    analysis = RunAnalysis.objects.get(run=setup.run)
    assert (analysis.text, analysis.conclusion, analysis.updated_by) == ("Fine.", "release", user)


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("dev", PermissionRefused),
        ("viewer", PermissionRefused),
        ("manager", PermissionRefused),
        ("outsider", NotFound),
    ],
)
def test_others_may_not_write_the_analysis(role, error):
    setup = SigningSetup()

    with pytest.raises(error) as refused:
        run_analysis_save(
            run=setup.run, user=getattr(setup, role), text="x", conclusion="", conditions=""
        )

    assert not RunAnalysis.objects.exists()
    if error is PermissionRefused:
        assert "signing its report" in refused.value.message


def test_a_release_with_conditions_needs_its_conditions():
    setup = SigningSetup()

    with pytest.raises(InvalidInput) as refused:
        run_analysis_save(
            run=setup.run,
            user=setup.qm,
            text="ok",
            conclusion="release_with_conditions",
            conditions="  ",
        )

    assert refused.value.field == "conditions"
    assert "Write the conditions" in refused.value.message


def test_an_unknown_conclusion_is_named():
    setup = SigningSetup()

    with pytest.raises(InvalidInput, match="Unknown conclusion 'ship it'"):
        run_analysis_save(
            run=setup.run, user=setup.qm, text="ok", conclusion="ship it", conditions=""
        )


def test_a_run_that_did_not_succeed_has_no_analysis():
    setup = SigningSetup()
    failed = setup.finished_run(setup.model_version, status="failed", verdict="")

    with pytest.raises(InvalidInput, match="Only a run that succeeded can be analysed"):
        run_analysis_save(run=failed, user=setup.qm, text="ok", conclusion="", conditions="")


def test_others_see_the_analysis_rendered_and_sanitised_without_the_form():
    setup = SigningSetup()
    setup.analysis(
        text="Recall is **low**.<script>alert(1)</script>",
        conclusion="release_with_conditions",
        conditions="Monitor recall *weekly*.",
    )

    html = run_page(setup.viewer, setup.run)

    assert "Recall is <strong>low</strong>." in html
    assert "<script>alert(1)" not in html
    assert "Conclusion: <strong>Release with conditions</strong>" in html
    assert "Monitor recall <em>weekly</em>." in html
    assert reverse("run-analysis", args=[setup.project.slug, setup.run.pk]) not in html
    assert "Sign the report" not in html


def test_the_quality_manager_writes_the_analysis_on_the_run_page_and_then_may_sign():
    setup = SigningSetup()
    client = client_for(setup.qm)
    before = run_page(setup.qm, setup.run)
    assert "Write and save the analysis before signing." in before
    assert 'aria-describedby="sign-help" disabled' in before

    response = client.post(
        analysis_url(setup.run),
        {"text": "All good.", "conclusion": "release", "conditions": ""},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/runs/{setup.run.pk}/#analysis")
    after = run_page(setup.qm, setup.run)
    assert "All good." in after
    assert 'aria-describedby="sign-help">Sign the report' in after


def test_a_refused_analysis_comes_back_with_its_words_and_the_message():
    setup = SigningSetup()

    response = client_for(setup.qm).post(
        analysis_url(setup.run),
        {"text": "Ship with care.", "conclusion": "release_with_conditions", "conditions": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Write the conditions of the release" in html
    assert "Ship with care." in html


@pytest.mark.parametrize(("role", "status"), [("dev", 403), ("viewer", 403), ("outsider", 404)])
def test_the_analysis_page_refuses_others(role, status):
    setup = SigningSetup()

    response = client_for(getattr(setup, role)).post(
        analysis_url(setup.run), {"text": "x", "conclusion": "release"}
    )

    assert response.status_code == status
    assert not RunAnalysis.objects.exists()
