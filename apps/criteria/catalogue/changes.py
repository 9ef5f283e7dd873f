"""What changed in a catalogue template between two versions, as data and in words: pure,
no Django, so migrations (which load the catalogue) and pages share it."""

from typing import Any

# The fields a catalogue release may change, in the order changes are told.
COMPARED_FIELDS = (
    "name",
    "category",
    "kind",
    "check_key",
    "metric",
    "comparator",
    "threshold",
    "severity",
    "blocking",
    "params",
    "question",
    "answered_by_role",
    "evidence_expected",
    "validity_days",
    "rationale",
    "guidance",
    "references",
    "requirements",
)
FIELD_WORDS = {
    "name": "name",
    "category": "category",
    "kind": "kind",
    "check_key": "check",
    "metric": "metric",
    "comparator": "comparator",
    "threshold": "default threshold",
    "severity": "severity",
    "blocking": "blocking",
    "params": "parameters",
    "question": "question",
    "answered_by_role": "who answers",
    "evidence_expected": "evidence expected",
    "validity_days": "days an answer stays valid",
    "rationale": "rationale",
    "guidance": "guidance",
    "references": "references",
    "requirements": "requirements it gives evidence for",
}
_LONG_TEXT = 60


def entry_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The compared fields whose value differs, each {field, before, after}; a field that
    one side does not have is not compared (an older catalogue did not know it)."""
    return [
        {"field": name, "before": before[name], "after": after[name]}
        for name in COMPARED_FIELDS
        if name in before and name in after and _normal(before[name]) != _normal(after[name])
    ]


def change_in_words(change: dict[str, Any]) -> str:
    """One change told to a person: "default threshold: 0.8 → 0.85"."""
    name, before, after = change["field"], change["before"], change["after"]
    if name == "added":
        return "new in the catalogue"
    words = FIELD_WORDS.get(name, name.replace("_", " "))
    if name == "requirements":
        added = sorted(set(after or []) - set(before or []))
        removed = sorted(set(before or []) - set(after or []))
        parts = []
        if added:
            parts.append(f"now gives evidence for {', '.join(added)}")
        if removed:
            parts.append(f"no longer for {', '.join(removed)}")
        return "; ".join(parts) or f"{words} reordered"
    if isinstance(after, str) and max(len(after), len(str(before or ""))) > _LONG_TEXT:
        return f"{words} rewritten"
    return f"{words}: {_shown(before)} → {_shown(after)}"


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value, key=str)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{key}={val}" for key, val in sorted(value.items())) or "none"
    return str(value)
