"""Upsert the shipped framework packs (apps/standards/packs) and the templates' evidence
mapping; later migrations that change a pack call it again."""


def load_packs(apps, schema_editor) -> None:
    from apps.criteria.catalogue.changes import COMPARED_FIELDS
    from apps.criteria.migrations._catalogue_loader import (
        get_model_or_none,
        template_revise,
        template_values,
    )
    from apps.standards.packs import shipped_evidence, shipped_frameworks

    framework_model = apps.get_model("standards", "Framework")
    requirement_model = apps.get_model("standards", "Requirement")
    template_model = apps.get_model("criteria", "CriterionTemplate")

    requirements = {}
    for entry in shipped_frameworks():
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
