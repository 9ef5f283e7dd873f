"""What changed in a framework between two revisions of its pack, as data and in words:
pure, no Django, so the migrations that load the shipped packs, the pack import and the
"What's new" page share it.

A framework's state is {"values": {name, version, url, summary}, "requirements": {id:
{group, title, summary, url}}}; `framework_state` reads it from a stored framework, live or
historical model alike.
"""

from typing import Any

FRAMEWORK_FIELDS = ("name", "version", "url", "summary")
REQUIREMENT_FIELDS = ("group", "title", "summary", "url")
FIELD_WORDS = {
    "name": "name",
    "version": "official text",
    "url": "link",
    "summary": "summary",
    "group": "group",
    "title": "title",
}


def framework_state(framework: Any) -> dict[str, Any]:
    """The compared state of a stored framework (any model with these fields)."""
    return {
        "values": {name: getattr(framework, name) for name in FRAMEWORK_FIELDS},
        "requirements": {
            item.identifier: {name: getattr(item, name) for name in REQUIREMENT_FIELDS}
            for item in framework.requirements.all()
        },
    }


def framework_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Each difference as {requirement, field, before, after}: `requirement` is None for the
    framework's own fields; a whole requirement added or removed has field None."""
    changes = [
        {"requirement": None, "field": name, "before": old, "after": after["values"][name]}
        for name, old in before["values"].items()
        if name in after["values"] and old != after["values"][name]
    ]
    old_items, new_items = before["requirements"], after["requirements"]
    for identifier, values in new_items.items():
        if identifier not in old_items:
            changes.append(
                {"requirement": identifier, "field": None, "before": None, "after": values}
            )
            continue
        changes += [
            {"requirement": identifier, "field": name, "before": old, "after": values[name]}
            for name, old in old_items[identifier].items()
            if name in values and old != values[name]
        ]
    changes += [
        {"requirement": identifier, "field": None, "before": values, "after": None}
        for identifier, values in old_items.items()
        if identifier not in new_items
    ]
    return changes


def framework_change_in_words(change: dict[str, Any]) -> str:
    """One change told to a person: "art-72 added: Monitoring after release"."""
    requirement, name = change["requirement"], change["field"]
    before, after = change["before"], change["after"]
    if name is None:
        if before is None:
            return f"{requirement} added: {after['title']}"
        return f"{requirement} removed ({before['title']})"
    words = FIELD_WORDS.get(name, name)
    subject = f"{requirement} {words}" if requirement else words
    if name == "summary":
        return f"{subject} rewritten"
    return f"{subject}: {before or 'none'} → {after or 'none'}"


def first_revision_in_words(count: int) -> str:
    return f"first published, {count} requirement{'' if count == 1 else 's'}"
