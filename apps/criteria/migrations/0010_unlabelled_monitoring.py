"""Reload the catalogue: PERF-08 (performance estimated on a batch without labels) and
DRIFT-08 (drift of the inputs weighted by their importance to the model)."""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from apps.criteria.migrations import _catalogue_loader

    _catalogue_loader.load_catalogue(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0009_relative_rates")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
