"""Upsert the criterion template catalogue by code; migrations that change the catalogue
call it again. Only fields the historical model has are written, so a field added to the
catalogue later cannot break an earlier migration; nor can a process template (no check,
no threshold), which a model from before process criteria existed cannot hold: it is
left to the later migration that loads it."""


def load_catalogue(apps, schema_editor) -> None:
    from apps.criteria.catalogue import TEMPLATES

    template_model = apps.get_model("criteria", "CriterionTemplate")
    field_names = {field.name for field in template_model._meta.concrete_fields}
    for entry in TEMPLATES:
        if entry.get("kind", "measured") != "measured" and "kind" not in field_names:
            continue
        defaults = {name: value for name, value in entry.items() if name in field_names}
        code = defaults.pop("code")
        template_model.objects.update_or_create(code=code, defaults=defaults)
