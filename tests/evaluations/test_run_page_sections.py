"""The run page's sections after the checks: pictures and tables per category, the
feature select of the distribution chart, and the metric changes since the previous run."""

import pytest

from apps.evaluations.models import RunStatus
from tests.evaluations.factories import CheckResultFactory, EvaluationRunFactory
from tests.evaluations.test_views import client_for, url
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


def drift_result(run, subject, effect, outcome="pass"):
    return CheckResultFactory(
        run=run, check_key="drift.columns", category="drift", subject=subject, outcome=outcome,
        metric="effect_size", observed={"effect_size": effect}, threshold=0.1,
        evidence={"distribution": {"edges": [0.0, 1.0, 2.0], "reference": [30, 70],
                                   "evaluation": [60, 40], "tails_in_end_bins": False}},
    )  # fmt: skip


def test_weak_segments_anomalies_and_the_feature_select_are_shown():
    cast = ProjectCast()
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED, verdict="fail")
    drift_result(run, "age", 0.05)
    drift_result(run, "income", 0.3, outcome="fail")
    CheckResultFactory(
        run=run, check_key="weak_segments.discovery", category="weak_segment",
        subject="region = east & channel = phone", metric="worst_slice_metric_gap",
        observed={"worst_slice_metric_gap": 0.25},
        evidence={"compared_with": "expected", "slices": [
            {"slice": "region = east & channel = phone", "rows": 84, "loss": "error rate",
             "gap": 0.25, "p_value": 0.0001, "weak": True},
        ]},
    )  # fmt: skip
    CheckResultFactory(
        run=run, check_key="anomaly.confident_errors", category="anomaly", outcome="pass",
        metric="confident_error_share", observed={"confident_error_share": 0.01},
        evidence={"shown_rows": [{"row": 17, "confidence": 0.97, "predicted": "1", "label": "0"}]},
    )  # fmt: skip

    response = client_for(cast.viewer).get(url(run))

    page = response.content.decode()
    assert '<th scope="row">region = east &amp; channel = phone</th>' in page
    assert "<td>84</td>" in page and "0.250" in page
    assert '<th scope="row">17</th>' in page and "confidence 0.970" in page
    assert "predicted 1, label 0" in page
    assert '<label for="distribution-feature">' in page
    options = [choice["feature"] for choice in response.context["distributions"]]
    assert options == ["income", "age"]  # the drifted feature first, and shown first
    assert 'data-figure="distribution-1" role="figure"' in page
    assert 'aria-label="Distribution of income: reference and current"' in page
    assert page.index("<h2>Checks</h2>") < page.index('id="pictures-heading"')


def test_metric_changes_since_the_previous_run_are_listed_with_their_delta():
    cast = ProjectCast()
    previous = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED)
    run = EvaluationRunFactory(project=cast.project, status=RunStatus.SUCCEEDED,
                               test_plan=previous.test_plan)  # fmt: skip
    assert run.model_version.sequence > previous.model_version.sequence
    CheckResultFactory(run=previous, outcome="fail", observed={"recall": 0.6})
    CheckResultFactory(run=run, outcome="pass", observed={"recall": 0.75})

    response = client_for(cast.viewer).get(url(run))

    [change] = response.context["metric_changes"]
    assert change["delta"] == pytest.approx(0.15)
    page = response.content.decode()
    assert 'id="metric-changes-heading"' in page
    assert "<td>0.6000</td>" in page and "<td>0.7500</td>" in page and "<td>+0.1500</td>" in page
    assert "Fail → Pass" in page
    assert ">Classification performance</a>" in page and ">Recall</a>" in page
