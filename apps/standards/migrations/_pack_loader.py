"""Upsert the shipped framework packs (apps/standards/packs) and the templates' evidence
mapping; later migrations that change a pack call it again. Once frameworks have revisions,
a framework whose pack changed gets its next revision, saying what changed."""

from typing import Any


def framework_revise(framework, revision_model, before: dict[str, Any] | None) -> bool:
    """Record the framework's next revision when it differs from `before` (None: it is
    new); the first revision of a framework records it as it is. The revision number is
    never lower than the pack's own. Returns whether it recorded one."""
    from apps.standards.packs.changes import framework_changes, framework_state

    after = framework_state(type(framework).objects.get(pk=framework.pk))
    count = len(after["requirements"])
    latest = revision_model.objects.filter(framework=framework).order_by("-revision").first()
    if latest is None:
        revision_model.objects.create(
            framework=framework, revision=framework.revision, requirement_count=count
        )
        return True
    changes = framework_changes(before, after) if before is not None else []
    if not changes:
        return False
    framework.revision = max(framework.revision, latest.revision + 1)
    framework.save(update_fields=["revision"])
    revision_model.objects.create(
        framework=framework, revision=framework.revision, changes=changes, requirement_count=count
    )
    return True


def load_packs(apps, schema_editor) -> None:
    from apps.criteria.catalogue.changes import COMPARED_FIELDS
    from apps.criteria.migrations._catalogue_loader import (
        get_model_or_none,
        template_revise,
        template_values,
    )
    from apps.standards.packs import shipped_evidence, shipped_frameworks
    from apps.standards.packs.changes import framework_state

    framework_model = apps.get_model("standards", "Framework")
    requirement_model = apps.get_model("standards", "Requirement")
    template_model = apps.get_model("criteria", "CriterionTemplate")
    framework_revision_model = get_model_or_none(apps, "standards", "FrameworkRevision")

    requirements = {}
    for entry in shipped_frameworks():
        stored = framework_model.objects.filter(identifier=entry.id).first()
        before = framework_state(stored) if stored is not None else None
        framework, _ = framework_model.objects.update_or_create(
            identifier=entry.id,
            defaults={
                "name": entry.name,
                "version": entry.version,
                "revision": entry.revision,
                "url": entry.url,
                "summary": entry.summary,
            },
        )
        for position, item in enumerate(entry.requirements):
            requirement, _ = requirement_model.objects.update_or_create(
                framework=framework,
                identifier=item.id,
                defaults={
                    "group": item.group,
                    "title": item.title,
                    "summary": item.summary,
                    "url": item.url,
                    "position": position,
                },
            )
            requirements[(entry.id, item.id)] = requirement
        if framework_revision_model is not None:
            framework_revise(framework, framework_revision_model, before)

    # Once templates have revisions, one that gives evidence for other requirements than
    # before gets its next version, like any other change of the catalogue.
    revision_model = get_model_or_none(apps, "criteria", "TemplateRevision")
    templates_before = (
        {t.pk: (t, template_values(t, COMPARED_FIELDS)) for t in template_model.objects.all()}
        if revision_model is not None
        else {}
    )
    template_ids = dict(template_model.objects.values_list("code", "id"))
    evidence: dict[tuple[str, str], list[int]] = {key: [] for key in requirements}
    for code, references in shipped_evidence().items():
        if code in template_ids:
            for reference in references:
                evidence[reference].append(template_ids[code])
    for key, requirement in requirements.items():
        requirement.templates.set(evidence[key])
    for template, before in templates_before.values():
        template_revise(template, revision_model, before, COMPARED_FIELDS)
