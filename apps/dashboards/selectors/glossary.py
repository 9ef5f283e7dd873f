"""The glossary: every check, metric, catalogue criterion and status in words, each with the
key engineers use and an anchor that the names across the pages link to."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextChoices

from apps.criteria.models import Category, CriterionTemplate
from apps.criteria.selectors import criterion_template_list
from apps.evaluations import engine
from apps.evaluations.models import Outcome, RunStatus, Verdict
from apps.findings.models import ActionStatus, FindingStatus
from apps.testplans.models import PlanStatus


def glossary_anchor(kind: str, key: str) -> str:
    """The id of a term on the glossary page: "check-drift.columns", "metric-psi"."""
    return f"{kind}-{key}"


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    anchor: str
    text: str = ""
    reported_by: list[tuple[str, str]] = field(default_factory=list)  # (check key, name)


@dataclass(frozen=True)
class TermGroup:
    title: str
    anchor: str
    intro: str
    terms: list[Term]


# One sentence a status, as a newcomer would ask "what does it mean, what happens next?".
_STATUSES: list[tuple[str, str, str, type[TextChoices], dict[str, str]]] = [
    (
        "Finding statuses",
        "finding-status",
        "A finding is a tracked quality problem; a check that fails again updates the same one.",
        FindingStatus,
        {
            "open": "A check failed (or someone raised it by hand) and no fix is under way; a "
            "regression or a fix that did not pass brings a finding back here.",
            "in_progress": "The development team is working on a fix.",
            "fix_submitted": "A fix was submitted with a note; the next run on a newer model "
            "version verifies it, or reopens the finding if its check still fails.",
            "verified": "Closed: its check passed on a newer model version, or the quality "
            "manager verified it by hand.",
            "risk_accepted": "Closed until a date: management accepted the risk with a "
            "justification; when the acceptance expires the finding opens again.",
            "false_positive": "Closed: the quality manager judged, with a justification, that "
            "the failure is not a real problem.",
        },
    ),
    (
        "Corrective action statuses",
        "action-status",
        "A corrective action is one thing someone does to fix a finding, with an owner and a "
        "due date.",
        ActionStatus,
        {
            "proposed": "A developer proposed it; it waits to be accepted or rejected.",
            "accepted": "Agreed as the way to fix the finding, not started yet.",
            "in_progress": "Its owner is carrying it out.",
            "done": "Carried out.",
            "rejected": "The quality manager decided it will not be done.",
        },
    ),
    (
        "Run statuses",
        "run-status",
        "A run evaluates one model version against an approved test plan.",
        RunStatus,
        {
            "queued": "Waiting for a worker to take it.",
            "running": "A worker is evaluating; the run page shows the progress and the current "
            "step.",
            "succeeded": "Every check ran to the end; the verdict says whether the model passed.",
            "failed": "The run stopped on an error (data that cannot be read, a model that "
            "crashes or runs out of time); its error says why, and it has no verdict.",
            "cancelled": "Someone cancelled it before it finished.",
        },
    ),
    (
        "Run verdicts",
        "verdict",
        "What a succeeded run concludes about the model version.",
        Verdict,
        {
            "pass": "Every check passed.",
            "pass_with_warnings": "No blocking criterion failed, but at least one other check "
            "failed or could not run.",
            "fail": "At least one blocking criterion failed: the model version is not fit to "
            "ship as it is.",
        },
    ),
    (
        "Check outcomes",
        "outcome",
        "What one check concluded on one subject (a column, a group, a slice or the whole "
        "dataset).",
        Outcome,
        {
            "pass": "The observed value met the criterion's threshold.",
            "fail": "The observed value missed the threshold, beyond the check's own noise.",
            "error": "The check could not run on this subject; its message says why.",
            "skipped": "The check did not apply here, for instance to another kind of task or "
            "without the data it needs.",
        },
    ),
    (
        "Test plan statuses",
        "plan-status",
        "A test plan is the versioned list of checks a run carries out.",
        PlanStatus,
        {
            "draft": "Being edited; it cannot be run yet.",
            "approved": "Frozen and ready to run; editing it makes the next version, so the "
            "runs that used it stay readable.",
            "archived": "Kept for the runs that used it; it can no longer be run.",
        },
    ),
]


def glossary_statuses() -> list[TermGroup]:
    """Every status a page shows, grouped by what it is the status of."""
    return [
        TermGroup(
            title=title,
            anchor=anchor,
            intro=intro,
            terms=[
                Term(
                    key=value,
                    name=str(label),
                    anchor=glossary_anchor(anchor, value),
                    text=sentences[value],
                )
                for value, label in choices.choices
            ],
        )
        for title, anchor, intro, choices, sentences in _STATUSES
    ]


def glossary_checks() -> list[tuple[str, str, list[dict[str, Any]]]]:
    """The engine's checks by category, in the categories' order, as (category name, anchor,
    checks); each check as `describe()` gives it, with its anchor."""
    by_category: dict[str, list[dict[str, Any]]] = {}
    for _, check in sorted(engine.registered_checks().items(), key=lambda item: item[1].name):
        described = {**check.describe(), "anchor": glossary_anchor("check", check.key)}
        by_category.setdefault(check.category, []).append(described)
    return [
        (str(label), glossary_anchor("category", value), by_category[value])
        for value, label in Category.choices
        if value in by_category
    ]


def glossary_metrics() -> list[Term]:
    """Every metric once, by name, with what it is and the checks that report it; a metric
    that several checks report with different wording keeps the first check's text."""
    terms: dict[str, Term] = {}
    for key, check in sorted(engine.registered_checks().items(), key=lambda item: item[1].name):
        for metric, text in check.metrics.items():
            if metric not in terms:
                terms[metric] = Term(
                    key=metric,
                    name=engine.metric_name(metric),
                    anchor=glossary_anchor("metric", metric),
                    text=text,
                )
            terms[metric].reported_by.append((key, check.name))
    return sorted(terms.values(), key=lambda term: term.name.lower())


def glossary_criteria() -> list[CriterionTemplate]:
    """The catalogue's criterion templates, by code."""
    return list(criterion_template_list())
