"""Load the shipped framework packs and map the catalogue's templates to them."""

from django.db import migrations


def load_packs(apps, schema_editor):
    from apps.standards.migrations._pack_loader import load_packs as load

    load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial"), ("criteria", "0003_reload_catalogue")]

    operations = [migrations.RunPython(load_packs, migrations.RunPython.noop)]
