"""A model version's model card as Markdown (GitHub-flavoured: tables), from the same data
as the HTML/PDF card. Numbers are written as every report writes them (render/words.py)."""

import datetime
from typing import Any

from django.utils import timezone

from apps.criteria.models import Comparator
from apps.projects.models import MODEL_CARD_FIELDS, ModelVersion, model_card_field
from apps.reports.model_card import model_card_data
from apps.reports.render.words import interval_text as ci_text
from apps.reports.render.words import value_text

# "Intended use", "Out-of-scope uses"… : the fields' names, as the page labels them.
HEADINGS = {
    field: str(model_card_field(field).verbose_name).capitalize() for field in MODEL_CARD_FIELDS
}
DASH = "\u2013"  # an en dash: no value
NOT_WRITTEN = "_Not written yet._"


def number_text(value: Any) -> str:
    """A number as every report writes it (four significant digits), a dash for none."""
    return value_text(value) or DASH


def interval_text(interval: dict[str, Any] | None) -> str:
    """ "[0.79, 0.84] (95%)" as the run report writes it, a dash for none."""
    return ci_text(interval) or DASH


def threshold_text(comparator: str, threshold: float | None) -> str:
    """ "at least 0.8", or a dash when there is no threshold."""
    if threshold is None or not comparator:
        return DASH
    words = Comparator(comparator).label if comparator in Comparator.values else comparator
    return f"{words} {number_text(threshold)}"


def _cell(value: Any) -> str:
    """Table cell text: one line, pipes escaped."""
    text = value if isinstance(value, str) else number_text(value)
    return " ".join(text.split()).replace("|", "\\|") or DASH


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return [*lines, ""]


def _text(text: str) -> list[str]:
    return [text.strip() or NOT_WRITTEN, ""]


def _datasets(datasets: list[dict[str, Any]]) -> list[str]:
    if not datasets:
        return ["_No run of the card used such a dataset._", ""]
    return _table(
        ["Dataset", "Rows", "Columns", "Target", "Sensitive columns", "SHA-256"],
        [
            [d["name"], d["rows"], d["columns"], d["target_column"],
             ", ".join(d["sensitive_columns"]), f"`{d['sha256']}`"]
            for d in datasets
        ],
    )  # fmt: skip


def _facts(card: dict[str, Any]) -> list[str]:
    version, project = card["version"], card["project"]
    size = f"{version['size_bytes']} bytes" if version["size_bytes"] else "no file"
    return [
        f"- **Project:** {project['name']} (risk level: {project['risk_level']})",
        f"- **Model version:** {version['sequence']} ({version['label']})",
        f"- **Task:** {version['task_type']}; **format:** {version['artifact_format']} ({size})",
        f"- **SHA-256:** `{version['sha256'] or DASH}`",
        f"- **Uploaded by:** {version['uploaded_by'] or DASH}, "
        f"{timezone.localtime(version['created_at']):%Y-%m-%d}",
        "",
    ]


def _evaluations(card: dict[str, Any]) -> list[str]:
    lines = ["## Evaluations", ""]
    if not card["runs"]:
        lines += ["_No succeeded run of an approved plan on this version yet._", ""]
    for run in card["runs"]:
        counts = run["counts"]
        finished = ""
        if run["finished_at"] is not None:
            finished = f" of {timezone.localtime(run['finished_at']):%Y-%m-%d}"
        lines.append(
            f"- {run['plan']} v{run['plan_version']}: run {run['id']}{finished}, "
            f"**{run['verdict_label'] or 'no verdict'}**: {counts['pass']} passed, "
            f"{counts['fail']} failed, {counts['error']} errors, {counts['skipped']} skipped"
        )
    for name in card["plans_not_run"]:
        lines.append(f"- {name}: not run on this version yet")
    return [*lines, ""]


def _metrics(card: dict[str, Any]) -> list[str]:
    lines = ["## Metrics", ""]
    if not card["metrics"]:
        return [*lines, "_No metric measured yet._", ""]
    return lines + _table(
        ["Plan", "Criterion", "Check", "Subject", "Metric", "Value", "Interval", "Threshold",
         "Outcome"],
        [
            [m["plan"], m["criterion"], m["check"], m["subject"] or "whole dataset", m["metric"],
             m["value"], interval_text(m["interval"]), threshold_text(m["comparator"],
             m["threshold"]), m["outcome"]]
            for m in card["metrics"]
        ],
    )  # fmt: skip


def _fairness(card: dict[str, Any]) -> list[str]:
    lines = ["## Fairness per sensitive group", ""]
    if not card["fairness"]:
        return [*lines, "_No fairness check in the card's runs._", ""]
    for entry in card["fairness"]:
        lines += [f"### {entry['subject']} ({entry['plan']})", ""]
        if entry["metric"]:
            lines += [
                f"{entry['criterion'] or entry['check']}: {entry['metric']} "
                f"{number_text(entry['value'])} (interval {interval_text(entry['interval'])}; "
                f"threshold {threshold_text(entry['comparator'], entry['threshold'])}): "
                f"**{entry['outcome']}**",
                "",
            ]
        metric_names = [name.replace("_", " ") for name in entry["group_metrics"]]
        lines += _table(
            ["Group", "Rows", "Judged", *metric_names],
            [
                [group["group"], group["rows"], "yes" if group["judged"] else "no (too few rows)",
                 *group["values"]]
                for group in entry["groups"]
            ],
        )  # fmt: skip
    return lines


def _limitations(card: dict[str, Any]) -> list[str]:
    lines = ["## Known limitations", "", *_text(card["description"]["known_limitations"])]
    if card["failing_results"]:
        lines += ["Failing results of the card's runs:", ""]
    for row in card["failing_results"]:
        name = f"{row['criterion']} {row['criterion_name']}".strip() or row["check"]
        on = f" on {row['subject']}" if row["subject"] else ""
        must = threshold_text(row["comparator"], row["threshold"])
        measured = f"{row['metric']} {number_text(row['value'])}" if row["metric"] else "failed"
        blocking = ", blocking" if row["blocking"] else ""
        lines.append(
            f"- **{name}**{on} ({row['plan']}): {measured}, must be {must}; "
            f"{row['severity'] or 'no'} severity{blocking}."
        )
    return [*lines, ""] if card["failing_results"] else lines


def _findings(card: dict[str, Any]) -> list[str]:
    lines = ["## Open findings", ""]
    if not card["findings"]:
        return [*lines, "_No open finding concerns this version._", ""]
    return lines + _table(
        ["Finding", "Title", "Severity", "Status", "Assigned to", "Due"],
        [
            [f"#{f['id']}", f["title"], f["severity"], f["status_label"],
             f["assignee"] or f["team"], _due(f)]
            for f in card["findings"]
        ],
    )  # fmt: skip


def _due(finding: dict[str, Any]) -> str:
    if finding["status"] == "risk_accepted":
        until = finding["risk_expires_on"]
        return f"risk accepted until {until:%Y-%m-%d}" if until else "risk accepted"
    if finding["due_date"] is None:
        return DASH
    late = f" ({finding['overdue_days']} days overdue)" if finding["overdue_days"] else ""
    return f"{finding['due_date']:%Y-%m-%d}{late}"


def markdown_from_card(card: dict[str, Any], *, generated_at: datetime.datetime) -> str:
    """The Markdown text of a card's data (see `model_card_data`)."""
    version, description = card["version"], card["description"]
    title = f"# Model card: {card['project']['name']}, model version {version['sequence']}"
    lines = [f"{title} ({version['label']})", "", *_facts(card)]
    for field in ("intended_use", "out_of_scope_uses", "owners"):
        lines += [f"## {HEADINGS[field]}", "", *_text(description[field])]
    lines += ["## Training data", "", *_text(description["training_data_description"])]
    lines += _datasets(card["datasets"]["training"])
    lines += ["## Evaluation data", "", *_text(description["evaluation_data_description"])]
    lines += _datasets(card["datasets"]["evaluation"])
    lines += _evaluations(card) + _metrics(card) + _fairness(card)
    lines += _limitations(card) + _findings(card)
    lines += ["## Ethical considerations", "", *_text(description["ethical_considerations"])]
    lines += [
        "---",
        "",
        f"_Generated by Qualiti on {timezone.localtime(generated_at):%Y-%m-%d %H:%M %Z} from "
        "the latest succeeded run of each approved test plan on this model version._",
    ]
    return "\n".join(lines) + "\n"


def model_card_markdown(model_version: ModelVersion) -> str:
    """The model card of a version as Markdown text, as of now."""
    return markdown_from_card(model_card_data(model_version), generated_at=timezone.now())
