"""What a valid pack becomes: the rows-to-be of its templates and frameworks, with its
codes and framework ids namespaced."""

from dataclasses import dataclass, field
from typing import Any

from apps.criteria.models import CriterionKind
from apps.criteria.packs import stored_code, stored_framework_id

# The fields of a template in a pack that are the model's fields of the same name.
TEMPLATE_FIELDS = (
    "name", "category", "kind", "check_key", "metric", "comparator", "threshold", "params",
    "question", "answered_by_role", "evidence_expected", "validity_days", "severity",
    "blocking", "rationale", "guidance", "references",
)  # fmt: skip
# What a field left out of a template stands for.
TEMPLATE_DEFAULTS: dict[str, Any] = {
    "kind": CriterionKind.MEASURED, "check_key": "", "metric": "", "comparator": "",
    "threshold": None, "params": {}, "question": "", "answered_by_role": "",
    "evidence_expected": "", "validity_days": None, "blocking": False, "references": "",
}  # fmt: skip
FRAMEWORK_FIELDS = ("name", "version", "url", "summary")
REQUIREMENT_FIELDS = ("group", "title", "summary", "url")


@dataclass
class ValidTemplate:
    code: str  # as stored: acme:FAIR-01
    values: dict[str, Any]  # TEMPLATE_FIELDS
    version: int
    requirements: list[tuple[str, str]]  # (stored framework identifier, requirement id)


@dataclass
class ValidFramework:
    identifier: str  # as stored: acme:acme-ai-policy
    values: dict[str, Any]  # FRAMEWORK_FIELDS
    revision: int
    requirements: list[dict[str, Any]]  # identifier and REQUIREMENT_FIELDS, in order


@dataclass
class ValidPack:
    id: str
    version: int
    name: str
    description: str
    templates: list[ValidTemplate] = field(default_factory=list)
    frameworks: list[ValidFramework] = field(default_factory=list)


def template_values(entry: dict) -> dict[str, Any]:
    """A template entry's model fields, those left out at their defaults."""
    values = {name: entry.get(name, TEMPLATE_DEFAULTS.get(name)) for name in TEMPLATE_FIELDS}
    if values["threshold"] is not None:
        values["threshold"] = float(values["threshold"])
    return values


def valid_template(entry: dict, pack_id: str, own: dict[str, set]) -> ValidTemplate:
    """A checked template entry, namespaced; `own` are the pack's frameworks' ids."""
    requirements = []
    for reference in entry.get("requirements", []):
        framework, _, requirement = reference.partition("/")
        if framework in own:
            framework = stored_framework_id(pack_id, framework)
        requirements.append((framework, requirement))
    return ValidTemplate(
        code=stored_code(pack_id, entry["code"]),
        values=template_values(entry),
        version=entry.get("version", 1),
        requirements=requirements,
    )


def valid_framework(entry: dict, pack_id: str) -> ValidFramework:
    """A checked framework entry, namespaced."""
    return ValidFramework(
        identifier=stored_framework_id(pack_id, entry["id"]),
        values={name: entry.get(name, "") for name in FRAMEWORK_FIELDS},
        revision=entry.get("revision", 1),
        requirements=[
            {"identifier": item["id"], **{name: item.get(name, "") for name in REQUIREMENT_FIELDS}}
            for item in entry.get("requirements", [])
        ],
    )
