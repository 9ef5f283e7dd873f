"""The framework packs shipped with Qualiti: pure data, no Django, safe to import from
migrations.

Each `<framework id>.yaml` holds one framework (id, name, version of the official text,
our pack's revision, link, summary) and its requirements (id, group, our own short title
and summary, link). `evidence.yaml` maps each catalogue template's code to the
requirements it gives evidence for, as "<framework id>/<requirement id>".

Standards' texts are copyrighted: packs hold identifiers, Qualiti's own words and links.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

PACKS_DIR = Path(__file__).parent
EVIDENCE_FILE = PACKS_DIR / "evidence.yaml"


@dataclass(frozen=True)
class RequirementEntry:
    id: str
    group: str
    title: str
    summary: str
    url: str


@dataclass(frozen=True)
class FrameworkEntry:
    id: str
    name: str
    version: str
    revision: int
    url: str
    summary: str
    requirements: list[RequirementEntry] = field(default_factory=list)


def _framework_from(document: dict) -> FrameworkEntry:
    head = document["framework"]
    return FrameworkEntry(
        id=head["id"],
        name=head["name"],
        version=str(head["version"]),
        revision=int(head["revision"]),
        url=head["url"],
        summary=" ".join(head["summary"].split()),
        requirements=[
            RequirementEntry(
                id=str(entry["id"]),
                group=entry.get("group", ""),
                title=entry["title"],
                summary=" ".join(entry.get("summary", "").split()),
                url=entry["url"],
            )
            for entry in document["requirements"]
        ],
    )


@cache
def shipped_frameworks() -> tuple[FrameworkEntry, ...]:
    """Every framework pack in this folder, in file-name order."""
    return tuple(
        _framework_from(yaml.safe_load(path.read_text()))
        for path in sorted(PACKS_DIR.glob("*.yaml"))
        if path != EVIDENCE_FILE
    )


def _pair(reference: str) -> tuple[str, str]:
    framework, requirement = reference.split("/", 1)
    return framework, requirement


@cache
def shipped_evidence() -> dict[str, tuple[tuple[str, str], ...]]:
    """Template code → the (framework id, requirement id) pairs it gives evidence for."""
    document = yaml.safe_load(EVIDENCE_FILE.read_text())
    return {
        code: tuple(_pair(reference) for reference in references)
        for code, references in document["templates"].items()
    }
