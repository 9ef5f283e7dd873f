"""The import of a criterion pack: all or nothing, and only into the pack's own namespace.

Administrators and the organisation's quality managers import packs. The YAML is read
safely and checked whole first (apps.criteria.packs.reading, .validation); a pack with any
problem is refused with every problem listed and nothing written. Otherwise, in one
transaction, the pack's row, its frameworks (with their requirements) and its templates
(with the requirements they give evidence for) become what the file says: new ones are
created, changed ones updated (their version raised, with a revision saying what changed,
as for the shipped catalogue), those the file no longer has removed.
Rows of other packs, the shipped one included, are never touched.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import organisation_action_check
from apps.criteria.catalogue.changes import COMPARED_FIELDS
from apps.criteria.migrations._catalogue_loader import template_revise, template_values
from apps.criteria.models import CriterionPack, CriterionTemplate, TemplateRevision
from apps.criteria.packs import SEPARATOR
from apps.criteria.packs.reading import pack_yaml_read
from apps.criteria.packs.valid import (
    FRAMEWORK_FIELDS,
    REQUIREMENT_FIELDS,
    TEMPLATE_FIELDS,
    ValidFramework,
    ValidPack,
    ValidTemplate,
)
from apps.criteria.packs.validation import pack_validate
from apps.standards.migrations._pack_loader import framework_revise
from apps.standards.models import Framework, FrameworkRevision, Requirement
from apps.standards.packs.changes import framework_state
from qualiti.errors import InvalidInput

logger = logging.getLogger(__name__)

IMPORT_REFUSAL = (
    "Only administrators and the organisation's quality managers import criterion packs."
)


@dataclass
class PackChanges:
    """What an import did to one kind of row, by stored code or identifier."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = [(len(self.created), "new"), (len(self.updated), "updated")]
        counts += [(len(self.unchanged), "unchanged"), (len(self.removed), "removed")]
        return ", ".join(f"{count} {word}" for count, word in counts)


@dataclass
class PackImport:
    pack: CriterionPack
    first_import: bool
    templates: PackChanges
    frameworks: PackChanges


def criterion_pack_import(*, user: User | None, content: bytes) -> PackImport:
    """Import a pack from its YAML bytes (see the module's docstring); `user=None` is the
    system itself."""
    organisation_action_check(user=user, refusal=IMPORT_REFUSAL)
    document = pack_yaml_read(content, max_bytes=settings.QUALITI_PACK_MAX_BYTES)
    try:
        with transaction.atomic():
            valid = pack_validate(document)
            pack, first_import = _pack_save(valid, user)
            frameworks = _frameworks_save(valid)
            templates = _templates_save(valid)
    except IntegrityError as error:
        # Another import of the same pack wrote the same rows between our check and write.
        raise InvalidInput(
            "Another import of this pack ran at the same time; nothing was imported. "
            "Import it again."
        ) from error
    logger.info(
        "criterion pack %s v%s imported by %s: templates %s; frameworks %s",
        pack.slug,
        pack.version,
        user.username if user else "the system",
        templates.summary(),
        frameworks.summary(),
    )
    return PackImport(
        pack=pack, first_import=first_import, templates=templates, frameworks=frameworks
    )


def _pack_save(valid: ValidPack, user: User | None) -> tuple[CriterionPack, bool]:
    pack = CriterionPack.objects.filter(slug=valid.id).first()
    first_import = pack is None
    pack = pack or CriterionPack(slug=valid.id)
    pack.version, pack.name, pack.description = valid.version, valid.name, valid.description
    pack.imported_by, pack.imported_at = user, timezone.now()
    pack.full_clean()
    pack.save()
    return pack, first_import


def _next_version(*, stored: int, given: int, changed: bool) -> int:
    """Never lower than what is stored nor than the file says; one more when it changed."""
    return max(given, stored + 1 if changed else stored)


def _frameworks_save(valid: ValidPack) -> PackChanges:
    changes = PackChanges()
    existing = {
        framework.identifier: framework
        for framework in Framework.objects.filter(
            identifier__startswith=f"{valid.id}{SEPARATOR}"
        ).prefetch_related("requirements")
    }
    for entry in valid.frameworks:
        framework = existing.pop(entry.identifier, None)
        before = framework_state(framework) if framework is not None else None
        if framework is None:
            framework = Framework(identifier=entry.identifier, revision=entry.revision)
            changes.created.append(entry.identifier)
        else:
            changed = _framework_state(framework) != (entry.values, entry.requirements)
            revision = _next_version(
                stored=framework.revision, given=entry.revision, changed=changed
            )
            bucket = (
                changes.updated if changed or revision != framework.revision else changes.unchanged
            )
            bucket.append(entry.identifier)
            framework.revision = revision
        _framework_write(framework, entry)
        framework_revise(framework, FrameworkRevision, before)
    for identifier, framework in existing.items():
        framework.delete()
        changes.removed.append(identifier)
    return changes


def _framework_state(framework: Framework) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values = {name: getattr(framework, name) for name in FRAMEWORK_FIELDS}
    requirements = [
        {
            "identifier": item.identifier,
            **{name: getattr(item, name) for name in REQUIREMENT_FIELDS},
        }
        for item in sorted(framework.requirements.all(), key=lambda item: item.position)
    ]
    return values, requirements


def _framework_write(framework: Framework, entry: ValidFramework) -> None:
    for name, value in entry.values.items():
        setattr(framework, name, value)
    # The namespaced identifier has a ":", which its slug field does not allow.
    framework.full_clean(exclude=["identifier"])
    framework.save()
    current = {item.identifier: item for item in framework.requirements.all()}
    for position, values in enumerate(entry.requirements):
        requirement = current.pop(values["identifier"], None) or Requirement(framework=framework)
        for name, value in values.items():
            setattr(requirement, name, value)
        requirement.position = position
        requirement.full_clean()
        requirement.save()
    Requirement.objects.filter(pk__in=[item.pk for item in current.values()]).delete()


def _templates_save(valid: ValidPack) -> PackChanges:
    changes = PackChanges()
    existing = {
        template.code: template
        for template in CriterionTemplate.objects.filter(pack=valid.id).prefetch_related(
            "requirements__framework"
        )
    }
    named = {framework for entry in valid.templates for framework, _ in entry.requirements}
    requirement_ids = {
        (framework, identifier): pk
        for framework, identifier, pk in Requirement.objects.filter(
            framework__identifier__in=named
        ).values_list("framework__identifier", "identifier", "pk")
    }
    for entry in valid.templates:
        template = existing.pop(entry.code, None)
        before = template_values(template, COMPARED_FIELDS) if template is not None else {}
        if template is None:
            template = CriterionTemplate(code=entry.code, pack=valid.id, version=entry.version)
            changes.created.append(entry.code)
        else:
            changed = _template_state(template) != (entry.values, set(entry.requirements))
            version = _next_version(stored=template.version, given=entry.version, changed=changed)
            bucket = (
                changes.updated if changed or version != template.version else changes.unchanged
            )
            bucket.append(entry.code)
            template.version = version
        _template_write(template, entry, requirement_ids)
        template_revise(template, TemplateRevision, before, COMPARED_FIELDS, added=not before)
    for code, template in existing.items():
        template.delete()  # criteria taken from it keep their values (template: SET_NULL)
        changes.removed.append(code)
    return changes


def _template_state(template: CriterionTemplate) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    values = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    requirements = {
        (requirement.framework.identifier, requirement.identifier)
        for requirement in template.requirements.all()
    }
    return values, requirements


def _template_write(
    template: CriterionTemplate, entry: ValidTemplate, requirement_ids: dict[tuple[str, str], int]
) -> None:
    for name, value in entry.values.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    template.requirements.set([requirement_ids[reference] for reference in entry.requirements])
