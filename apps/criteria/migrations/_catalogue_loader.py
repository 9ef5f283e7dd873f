"""Upsert the criterion template catalogue by code; migrations that change the catalogue
call it again, and so does `criterion_templates_sync` with the live models.

Only fields the model of that moment has are written, so a field added to the catalogue
later cannot break an earlier migration; nor can a process template (no check, no
threshold), which a model from before process criteria existed cannot hold: it is left to
the later migration that loads it. Once templates have versions and revisions, a template
whose values change gets its next version and a revision saying what changed.
"""

from typing import Any

from django.core.exceptions import FieldDoesNotExist


def get_model_or_none(apps, app_label: str, model_name: str):
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def template_values(template, compared: tuple[str, ...]) -> dict[str, Any]:
    """The template's compared values, its requirements as "<framework>/<requirement>"."""
    values = {}
    for name in compared:
        if name == "requirements":
            if _has_field(type(template), "requirements"):
                values[name] = sorted(
                    f"{r.framework.identifier}/{r.identifier}"
                    for r in template.requirements.select_related("framework")
                )
        elif _has_field(type(template), name):
            values[name] = getattr(template, name)
    return values


def template_revise(
    template, revision_model, before: dict[str, Any], compared, *, added: bool = False
) -> bool:
    """Record the template's current values as its next version when they differ from
    `before`; the first revision of a template records it as it is, and says it is new
    when `added` (a release or an import brought it, after the catalogue was installed).
    Returns whether it recorded one."""
    from apps.criteria.catalogue.changes import entry_changes

    after = template_values(template, compared)
    latest = revision_model.objects.filter(template=template).order_by("-version").first()
    if latest is None:
        changes = [{"field": "added", "before": None, "after": None}] if added else []
        revision_model.objects.create(
            template=template, version=template.version, values=after, changes=changes
        )
        return True
    changes = entry_changes(before, after)
    if not changes:
        return False
    template.version = max(template.version, latest.version + 1)
    template.save(update_fields=["version"])
    revision_model.objects.create(
        template=template, version=template.version, values=after, changes=changes
    )
    return True


def load_catalogue(apps, schema_editor) -> None:
    from apps.criteria.catalogue import TEMPLATES
    from apps.criteria.catalogue.changes import COMPARED_FIELDS

    template_model = apps.get_model("criteria", "CriterionTemplate")
    revision_model = get_model_or_none(apps, "criteria", "TemplateRevision")
    fields = {field.name: field for field in template_model._meta.concrete_fields}
    # A catalogue loaded into an empty table is an installation: nothing in it is news.
    installed = template_model.objects.exists()
    for entry in TEMPLATES:
        if entry.get("kind", "measured") != "measured" and "kind" not in fields:
            continue
        # A field the entry leaves out takes the model's default (a measured template has
        # no question), so a release that drops a value is seen as a change too.
        defaults = {
            name: entry.get(name, field.get_default())
            for name, field in fields.items()
            if name in entry or name in COMPARED_FIELDS
        }
        code = defaults.pop("code")
        template = template_model.objects.filter(code=code).first()
        added = template is None and installed
        before = template_values(template, COMPARED_FIELDS) if template else {}
        if template is None:
            template = template_model.objects.create(code=code, **defaults)
        else:
            for name, value in defaults.items():
                setattr(template, name, value)
            template.save()
        if revision_model is not None:
            template_revise(template, revision_model, before, COMPARED_FIELDS, added=added)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
