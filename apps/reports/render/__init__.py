"""One template, two outputs: every report is rendered to a self-contained HTML document
(all CSS and plotly.js inline, so it opens offline from disk and makes no request), which
the PDF engine then prints.

Each kind of report registers a renderer: a function from the report to the name of its
template (which extends reports/base_report.html) and that template's context. A module
of this package per kind registers itself when imported; the app imports every module of
the package when it starts (ReportsConfig.ready), so adding a kind means adding a module.
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from apps.reports.models import Report
from qualiti.errors import InvalidInput

Renderer = Callable[[Report], tuple[str, dict[str, Any]]]
RENDERERS: dict[str, Renderer] = {}

PLOTLY_STATIC_PATH = "vendor/plotly-cartesian.min.js"


def renderer_register(kind: str, renderer: Renderer) -> None:
    """Make `renderer` the one that renders reports of `kind`."""
    RENDERERS[kind] = renderer


@cache
def _static_text(path: str) -> str:
    """A static file's text, read once per process (the same file the pages serve)."""
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise FileNotFoundError(f"The static file {path} is missing.")
    return Path(found).read_text(encoding="utf-8")


def plotly_js() -> str:
    """plotly.js as served under static/, to inline in a report. It holds no `</script`
    (checked here, because such a text would end the inline script early)."""
    text = _static_text(PLOTLY_STATIC_PATH)
    if "</script" in text.lower():
        raise ValueError(f"{PLOTLY_STATIC_PATH} cannot be inlined: it contains </script")
    return text


def report_subject_words(report: Report) -> list[str]:
    """The running header's parts: project (or "Portfolio"), model version, date."""
    parts = [report.project.name if report.project is not None else "Portfolio"]
    model_version = report.model_version or (
        report.run.model_version if report.run is not None else None
    )
    if model_version is not None:
        parts.append(f"model version {model_version.sequence} ({model_version.label})")
    if report.period_start and report.period_end:
        parts.append(f"{report.period_start:%d %b %Y} to {report.period_end:%d %b %Y}")
    parts.append(timezone.localtime(report_generated_at(report)).strftime("%d %b %Y"))
    return parts


def report_generated_at(report: Report) -> Any:
    return report.started_at or report.created_at or timezone.now()


def report_header(report: Report) -> str:
    """The PDF's running header: project, model version, date (plain text)."""
    return " · ".join(report_subject_words(report))


def report_context(report: Report) -> tuple[str, dict[str, Any]]:
    """The template and context of a report, with what the base template needs."""
    renderer = RENDERERS.get(report.kind)
    if renderer is None:
        raise InvalidInput(f"Reports of kind {report.kind!r} cannot be rendered yet.")
    template, context = renderer(report)
    base = {
        "report": report,
        "header": report_header(report),
        "generated_at": report_generated_at(report),
        "plotly_js": plotly_js() if context.get("figures") else "",
        "figures": {},
    }
    return template, {**base, **context}


def report_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    template, context = report_context(report)
    return render_to_string(template, context)
