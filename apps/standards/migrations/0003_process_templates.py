"""Load the catalogue's process templates (PROC-01…, questions answered with evidence),
then the packs again, so the requirements they give evidence for name them."""

from django.db import migrations


def load_process_templates(apps, schema_editor):
    from apps.criteria.migrations._catalogue_loader import load_catalogue
    from apps.standards.migrations._pack_loader import load_packs

    load_catalogue(apps, schema_editor)
    load_packs(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("standards", "0002_load_packs"), ("criteria", "0005_attestations")]

    operations = [migrations.RunPython(load_process_templates, migrations.RunPython.noop)]
