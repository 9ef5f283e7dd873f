"""Reload the catalogue: DQ-11 judges each feature's predictive power (a finding per
leaking feature), as the engine's default plan always did."""

from django.db import migrations


def reload_catalogue(apps, schema_editor):
    from apps.criteria.migrations import _catalogue_loader

    _catalogue_loader.load_catalogue(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0002_load_catalogue")]

    operations = [migrations.RunPython(reload_catalogue, migrations.RunPython.noop)]
