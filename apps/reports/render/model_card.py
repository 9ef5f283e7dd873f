"""The model card of a model version as a report (HTML and PDF): what its team wrote about
it and what the latest succeeded run of each approved plan measured, with a fairness chart
per sensitive column. The data comes from apps/reports/model_card.py, which the Markdown
export reads too."""

from typing import Any

from apps.findings.templatetags.markdown_filters import markdown_to_safe_html
from apps.projects.models import MODEL_CARD_FIELDS, ModelVersion
from apps.reports.inputs import canonical_json, run_report_inputs, sha256_hex
from apps.reports.model_card import approved_plan_names, card_runs, model_card_data
from apps.reports.model_card_markdown import HEADINGS
from apps.reports.models import Report, ReportKind
from apps.reports.render import renderer_register
from apps.reports.services import inputs_register

TEMPLATE = "reports/model_card.html"


def _model_version(report: Report) -> ModelVersion:
    if report.model_version is None:  # the table's constraint forbids it
        raise ValueError(f"Report {report.pk} is a model card without its model version.")
    return report.model_version


def model_card_report_context(report: Report) -> tuple[str, dict[str, Any]]:
    """The model card's template and context: the card's data, its descriptive fields as
    sanitised HTML (they are Markdown), and one fairness figure per sensitive column."""
    card = model_card_data(_model_version(report))
    figures: dict[str, Any] = {}
    for number, entry in enumerate(card["fairness"], start=1):
        entry["group_metric_labels"] = [name.replace("_", " ") for name in entry["group_metrics"]]
        entry["figure_name"] = ""
        if entry["figure"] is not None:
            entry["figure_name"] = f"fairness-{number}"
            figures[entry["figure_name"]] = entry["figure"]
    sections = {
        field: {"field": field, "heading": HEADINGS[field], "html": markdown_to_safe_html(text)}
        for field, text in card["description"].items()
    }
    training, evaluation = card["datasets"]["training"], card["datasets"]["evaluation"]
    context = {
        "card": card,
        "sections": sections,
        "intro_sections": [sections[f] for f in ("intended_use", "out_of_scope_uses", "owners")],
        "data_parts": [
            {"section": sections["training_data_description"], "datasets": training},
            {"section": sections["evaluation_data_description"], "datasets": evaluation},
        ],
        "figures": figures,
    }
    return TEMPLATE, context


def model_card_inputs(report: Report) -> dict[str, Any]:
    """What a model card was made from: the model version, its descriptive fields (as
    canonical JSON, hashed) and, per run it reads, the hashes of a run report's inputs
    (model, datasets, plan version, results)."""
    version = _model_version(report)
    runs = card_runs(version, approved_plan_names(version.project_id))
    description = {field: getattr(version, field) for field in MODEL_CARD_FIELDS}
    return {
        "model_version": {"id": version.pk, "label": version.label, "sha256": version.sha256},
        "description_sha256": sha256_hex(canonical_json(description)),
        "runs": [run_report_inputs(run) for run in runs],
    }


renderer_register(ReportKind.MODEL_CARD, model_card_report_context)
inputs_register(ReportKind.MODEL_CARD, model_card_inputs)
