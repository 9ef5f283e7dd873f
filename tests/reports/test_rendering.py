"""The run report's HTML: every section in order, self-contained, the figures of the run
page, sanitised analysis; the inputs' hashes."""

import hashlib
import json
import re

import pytest

from apps.evaluations.charts import run_figures
from apps.evaluations.models import CheckResult, RunStatus
from apps.reports.inputs import canonical_json, results_document, run_report_inputs
from apps.reports.models import Report, ReportKind, RunAnalysis
from apps.reports.render import report_header, report_html
from apps.reports.render.words import observed_value, value_text
from tests.evaluations.factories import EvaluationRunFactory
from tests.projects.factories import ModelVersionFactory
from tests.reports.factories import ANALYSIS_TEXT, MODEL_SHA256, ReportedRun

pytestmark = pytest.mark.django_db
SECTIONS = [
    "1. Summary",
    "2. Scope",
    "3. The quality manager",
    "4. Tests performed",
    "5. Results by category",
    "6. Findings and corrective actions",
    "Appendix",
]


def run_report(reported: ReportedRun) -> Report:
    return Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run, created_by=reported.qm
    )


def test_it_writes_every_section_in_order():
    reported = ReportedRun()

    html = report_html(run_report(reported))

    positions = [html.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_it_names_the_verdict_the_hashes_the_criteria_and_the_failures():
    reported = ReportedRun()

    html = report_html(run_report(reported))

    assert 'Verdict: <span class="verdict verdict-fail">Fail</span>' in html
    assert MODEL_SHA256 in html
    assert reported.dataset.sha256 in html and reported.reference.sha256 in html
    for code in reported.criteria:
        assert code in html
    for result in reported.failing:
        assert value_text(observed_value(result)) in html
    assert "[0.7921, 0.8302] (95%)" in html  # the interval of PERF-01
    assert ANALYSIS_TEXT in html
    assert "Do not release" in html
    assert "Retrain on the audited 2023 labels" in html  # the corrective action


def test_it_names_checks_and_metrics_with_their_keys_in_small_type_where_tests_are_listed():
    html = report_html(run_report(ReportedRun()))

    tests = html.split('id="tests"')[1].split("</section>")[0]
    assert 'Classification fairness</span> <code class="term-key">fairness.classification' in tests
    appendix = html.split('id="appendix"')[1]
    assert (
        '<strong>Classification fairness</strong> <code class="term-key">fairness.classification'
        "</code> (fairness)" in appendix
    )


def test_it_is_self_contained():
    html = report_html(run_report(ReportedRun()))

    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)  # plotly.js's texts
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", markup)
    assert "<link" not in markup
    assert "<script src" not in html
    assert "Plotly" in html  # plotly.js inline


def test_it_embeds_the_run_pages_figures():
    reported = ReportedRun()

    html = report_html(run_report(reported))

    figures = json.loads(re.search(r'id="report-figures"[^>]*>(.*?)</script>', html).group(1))
    page = run_figures(list(reported.run.results.all()))
    assert figures["roc"] == page["roc"]
    assert figures["fairness-1"] == page["fairness"][0]
    assert figures["drift"] == page["drift"]
    for name in figures:
        assert f'data-figure="{name}"' in html


def test_the_analysis_is_sanitised_like_comments():
    reported = ReportedRun(analysis=False)
    RunAnalysis.objects.create(
        run=reported.run, text="**bold** <script>alert(1)</script><img src=x onerror=alert(1)>"
    )

    html = report_html(run_report(reported))

    assert "<strong>bold</strong>" in html
    assert "alert(1)" not in html.split('id="analysis"')[1].split("</section>")[0]


def test_the_header_names_project_model_version_and_date():
    reported = ReportedRun()

    header = report_header(run_report(reported))

    assert reported.project.name in header
    assert reported.model_version.label in header


def test_the_inputs_are_hashes_of_canonical_json():
    reported = ReportedRun()

    inputs = run_report_inputs(reported.run)

    assert inputs["model_version"]["sha256"] == MODEL_SHA256
    assert {dataset["role"] for dataset in inputs["datasets"]} == {"evaluation", "reference"}
    results = json.dumps(results_document(reported.run), sort_keys=True, separators=(",", ":"))
    assert inputs["results"]["sha256"] == hashlib.sha256(results.encode()).hexdigest()
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert run_report_inputs(reported.run) == inputs  # stable


def test_the_summary_says_what_changed_since_the_previous_run_of_the_plan():
    reported = ReportedRun()
    earlier = ModelVersionFactory(project=reported.project, sequence=0, label="1.0")
    previous = EvaluationRunFactory(
        project=reported.project, test_plan=reported.plan, model_version=earlier,
        dataset=reported.dataset, status=RunStatus.SUCCEEDED, verdict="pass",
    )  # fmt: skip
    fairness = reported.run.results.get(check_key="fairness.classification")
    CheckResult.objects.create(
        run=previous, plan_check=fairness.plan_check, criterion=fairness.criterion,
        check_key=fairness.check_key, category="fairness", subject="sex", outcome="pass",
        metric=fairness.metric, observed={fairness.metric: 0.91},
    )  # fmt: skip

    html = report_html(run_report(reported))

    summary = html.split('id="summary"')[1].split("</section>")[0]
    assert f"Compared with run {previous.pk} (model version 0): 3 new failures, 0 fixed" in summary
    assert (
        'FAIR-01 <span class="term" title="key: fairness.classification">Classification fairness'
        '</span> on sex, <span class="term" title="key: demographic_parity_ratio">Demographic '
        "parity ratio</span>: 0.9100 → 0.6234" in summary
    )
    assert "<a " not in summary  # a report is a document: names without links
