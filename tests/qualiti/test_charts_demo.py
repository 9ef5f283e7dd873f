"""Every chart a person meets in the demo explains itself: the portfolio, the project's
overview, its monitoring, each run's and finding's page, the period report and the model
cards, built from the seeded demo (real runs of a real model), keep the chart rules."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.findings.models import Finding
from apps.projects.models import Project
from apps.reports.model_card import model_card_data
from apps.reports.period import Period, project_period
from apps.reports.period_charts import period_figures
from qualiti.charts import RED
from qualiti.demo.seed import DEMO_PROJECT_SLUG
from tests.support.chart_rules import all_figures, chart_rule_breaches

pytestmark = pytest.mark.django_db(transaction=True)  # the demo's runs write from a thread


def demo_figures() -> dict[str, dict]:
    """Every figure of the demo's pages and reports, named by where it is drawn."""
    call_command("seed_demo", stdout=StringIO())
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    slug = project.slug
    client = Client()
    client.force_login(User.objects.get(username="qm"))
    pages = [reverse("home"), reverse("project-overview", args=[slug])]
    pages.append(reverse("monitoring", args=[slug]))
    pages += [reverse("run-detail", args=[slug, run.pk]) for run in project.runs.all()]
    findings = Finding.objects.filter(project=project)
    pages += [reverse("finding-detail", args=[finding.pk]) for finding in findings]
    figures: dict[str, dict] = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        shown = all_figures(response.context["figures"])
        figures |= {f"{url} {name}": figure for name, figure in shown.items()}
    report = period_figures(project_period(project=project, period=Period.last_days(90)))
    figures |= {f"period report {name}": figure for name, figure in report.items()}
    for version in project.model_versions.all():
        for entry in model_card_data(version)["fairness"]:
            if entry["figure"] is not None:
                figures[f"model card v{version.sequence} {entry['subject']}"] = entry["figure"]
    return figures


def test_every_chart_of_the_demo_keeps_the_chart_rules():
    figures = demo_figures()

    breaches = {name: chart_rule_breaches(figure) for name, figure in figures.items()}
    assert {name: found for name, found in breaches.items() if found} == {}
    layouts = [figure["layout"] for figure in figures.values()]
    markers = [trace.get("marker", {}) for figure in figures.values() for trace in figure["data"]]
    # The rules met something to check: labelled lines, failing marks, counts and dates.
    assert sum(bool(layout.get("annotations")) for layout in layouts) >= 3
    assert any(isinstance(marker.get("color"), list) and RED in marker["color"]
               for marker in markers)  # fmt: skip
    assert any(layout.get("yaxis", {}).get("tickformat") == "d" for layout in layouts)
    assert any(layout.get("xaxis", {}).get("type") == "date" for layout in layouts)
    assert any(name.startswith("model card") for name in figures)
