"""A pack as YAML: its templates and its own frameworks, written as an import reads them,
so that importing the export (under the same id or another) and exporting again gives the
same file, the pack's id aside. Codes and framework ids are written without the pack's
prefix; a requirement of another pack's framework keeps that framework's stored id."""

from dataclasses import dataclass
from typing import Any

import yaml
from django.db.models import Prefetch, QuerySet

from apps.criteria.models import CriterionKind, CriterionPack, CriterionTemplate
from apps.criteria.packs import (
    SEPARATOR,
    SHIPPED_PACK,
    SHIPPED_PACK_HEADER,
    local_id,
    pack_of_framework,
)
from apps.standards.models import Framework, Requirement
from qualiti.errors import NotFound

HEADER_COMMENT = (
    "# A Qualiti criterion pack: import it with POST /api/v1/criterion-templates/import/\n"
    "# or on a project's criterion template catalogue page. Its format, as a JSON schema:\n"
    "# GET /api/v1/criterion-templates/pack-schema/\n"
)
MEASURED_KEYS = ("check_key", "metric", "comparator", "threshold")
PROCESS_KEYS = ("question", "answered_by_role", "evidence_expected", "validity_days")


@dataclass(frozen=True)
class PackExport:
    pack: str
    version: int
    text: str

    @property
    def filename(self) -> str:
        return f"{self.pack}-criteria-pack-v{self.version}.yaml"


class _PackDumper(yaml.SafeDumper):
    """Block style, text with line breaks as literal blocks, and never an anchor or alias
    (an import refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _text)


def criterion_pack_export(*, pack: str = SHIPPED_PACK) -> PackExport:
    """The pack's YAML; NotFound for a pack that is not here."""
    header = _header(pack)
    document: dict[str, Any] = {
        "pack": header,
        "templates": [_template_entry(template, pack) for template in _templates(pack)],
    }
    frameworks = [_framework_entry(framework, pack) for framework in _frameworks(pack)]
    if frameworks:
        document["frameworks"] = sorted(frameworks, key=lambda entry: entry["id"])
    document["templates"].sort(key=lambda entry: entry["code"])
    text = yaml.dump(document, Dumper=_PackDumper, sort_keys=False, allow_unicode=True, width=100)
    return PackExport(pack=pack, version=header["version"], text=HEADER_COMMENT + text)


def _header(pack: str) -> dict[str, Any]:
    if pack == SHIPPED_PACK:
        return dict(SHIPPED_PACK_HEADER)
    row = CriterionPack.objects.filter(slug=pack).first()
    if row is None:
        raise NotFound(f"No criterion pack {pack!r} here.", field="pack")
    header: dict[str, Any] = {"id": row.slug, "version": row.version}
    if row.name:
        header["name"] = row.name
    if row.description:
        header["description"] = row.description
    return header


def _templates(pack: str) -> QuerySet[CriterionTemplate]:
    requirements = Requirement.objects.select_related("framework")
    return CriterionTemplate.objects.filter(pack=pack).prefetch_related(
        Prefetch("requirements", queryset=requirements)
    )


def _frameworks(pack: str) -> QuerySet[Framework]:
    frameworks = Framework.objects.prefetch_related(
        Prefetch("requirements", queryset=Requirement.objects.order_by("position"))
    )
    if pack == SHIPPED_PACK:
        return frameworks.exclude(identifier__contains=SEPARATOR)
    return frameworks.filter(identifier__startswith=f"{pack}{SEPARATOR}")


def _template_entry(template: CriterionTemplate, pack: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": local_id(pack, template.code),
        "name": template.name,
        "category": template.category,
        "kind": template.kind,
    }
    keys = MEASURED_KEYS if template.kind == CriterionKind.MEASURED else PROCESS_KEYS
    entry |= {key: getattr(template, key) for key in keys}
    if template.params:
        entry["params"] = template.params
    entry |= {
        "severity": template.severity,
        "blocking": template.blocking,
        "rationale": template.rationale,
        "guidance": template.guidance,
    }
    if template.references:
        entry["references"] = template.references
    entry["version"] = template.version
    references = sorted(
        (
            _framework_name(requirement.framework.identifier, pack),
            requirement.position,
            requirement.identifier,
        )
        for requirement in template.requirements.all()
    )
    if references:
        entry["requirements"] = [
            f"{framework}/{identifier}" for framework, _, identifier in references
        ]
    return entry


def _framework_name(identifier: str, pack: str) -> str:
    """A framework as the pack names it: its own without the prefix, others as stored."""
    return local_id(pack, identifier) if pack_of_framework(identifier) == pack else identifier


def _framework_entry(framework: Framework, pack: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": local_id(pack, framework.identifier),
        "name": framework.name,
        "version": framework.version,
        "revision": framework.revision,
        "url": framework.url,
    }
    if framework.summary:
        entry["summary"] = framework.summary
    entry["requirements"] = [_requirement_entry(item) for item in framework.requirements.all()]
    return entry


def _requirement_entry(requirement: Requirement) -> dict[str, Any]:
    entry = {"id": requirement.identifier}
    if requirement.group:
        entry["group"] = requirement.group
    entry["title"] = requirement.title
    if requirement.summary:
        entry["summary"] = requirement.summary
    entry["url"] = requirement.url
    return entry
