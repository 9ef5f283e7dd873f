"""Reload the catalogue: SEG-01 judges each distinct weak slice's gap (a finding per slice,
up to 10 a run, leaving out one mostly inside a weaker slice); SEG-01 and SEG-02 search
with the same parameters."""

from django.db import migrations

from apps.criteria.migrations._catalogue_loader import load_catalogue


class Migration(migrations.Migration):
    dependencies = [("criteria", "0007_template_revisions")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
