"""Reload the catalogue: the criteria on rates that healthy data also have (input
outliers, confident errors, missing values, duplicates, out-of-range values, conflicting
labels) judge the excess over what healthy data give, with a test, instead of an absolute
share."""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from apps.criteria.migrations._catalogue_loader import load_catalogue as load

    load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0008_weak_slices_each_a_finding")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
