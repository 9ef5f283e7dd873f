"""Load the criterion template catalogue (apps/criteria/catalogue) into the database.

Templates are upserted by code, so running the load again after the catalogue changes (from
a later migration calling `load_catalogue`) updates them in place. Only fields the historical
model has are written, so a field added to the catalogue later cannot break this migration.
"""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from apps.criteria.migrations._catalogue_loader import load_catalogue as load

    load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]

    # Reversing keeps the templates: criteria of projects may still point at them.
    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
