"""The run and project reports show how the project covers the frameworks it follows."""

import html as html_text

import pytest

from apps.criteria.models import CriterionTemplate
from apps.reports.models import Report, ReportKind
from apps.reports.render import report_html
from apps.standards.models import Framework
from apps.standards.selectors import project_coverage
from apps.standards.services import project_framework_choose, requirement_exclude
from tests.reports.factories import ReportedRun
from tests.standards.coverage_setup import CoverageCast

pytestmark = pytest.mark.django_db


def row_html(row) -> str:
    requirement = row.requirement
    return (
        f'<th scope="row">{requirement.identifier}: {html_text.escape(requirement.title)}</th>'
        f'<td class="coverage-{row.status}">{row.status_label}</td>'
        f"<td>{html_text.escape(row.reason)}</td>"
    )


def test_the_run_report_shows_the_coverage_of_the_followed_frameworks_by_that_run():
    reported = ReportedRun()
    for code, criterion in reported.criteria.items():  # the reported criteria, from templates
        criterion.template = CriterionTemplate.objects.get(code=code)
        criterion.save(update_fields=["template"])
    eu_ai_act = Framework.objects.get(identifier="eu-ai-act")
    project_framework_choose(project=reported.project, framework=eu_ai_act, user=reported.qm)
    report = Report.objects.create(
        kind=ReportKind.RUN, project=reported.project, run=reported.run, created_by=reported.qm
    )

    html = report_html(report)

    assert (
        html.index("6. Findings and corrective actions")
        < html.index("7. Coverage of the frameworks the project follows")
        < html.index("Appendix")
    )
    assert "EU Artificial Intelligence Act, high-risk systems (2024/1689)" in html
    rows = project_coverage(project=reported.project, framework=eu_ai_act, run=reported.run)
    assert {row.status for row in rows} >= {"failing", "not_covered"}
    for row in rows:
        assert row_html(row) in html


def test_the_project_report_shows_each_followed_framework_and_why_a_requirement_does_not_apply():
    cast = CoverageCast()
    cal_01 = cast.criterion("CAL-01")
    cast.run({cal_01: "pass"})
    for identifier in ("eu-ai-act", "iso-iec-25059"):
        framework = Framework.objects.get(identifier=identifier)
        project_framework_choose(project=cast.project, framework=framework, user=cast.qm)
    requirement_exclude(
        project=cast.project,
        requirement=cast.requirement("art-72"),
        justification="Nothing runs after release.",
        user=cast.qm,
    )
    report = Report.objects.create(
        kind=ReportKind.PROJECT, project=cast.project, created_by=cast.qm
    )

    html = report_html(report)

    assert "Coverage of the frameworks the project follows" in html
    assert "EU Artificial Intelligence Act, high-risk systems (2024/1689)" in html
    assert "ISO/IEC 25059" in html
    not_applicable = '<td class="coverage-not_applicable">Not applicable</td>'
    assert f"{not_applicable}<td>Nothing runs after release.</td>" in html
    assert "art-13: " in html and '<td class="coverage-satisfied">Satisfied</td>' in html


def test_a_report_of_a_project_following_no_framework_says_so():
    cast = CoverageCast()
    report = Report.objects.create(
        kind=ReportKind.PROJECT, project=cast.project, created_by=cast.qm
    )

    assert "The project follows no framework" in report_html(report)
