"""Map PERF-08 and DRIFT-08 (monitoring without labels) to the frameworks' post-market
monitoring requirements."""

from django.db import migrations


def load_packs(apps, schema_editor):
    from apps.standards.migrations._pack_loader import load_packs as load

    load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0005_framework_revisions"),
        ("criteria", "0010_unlabelled_monitoring"),
    ]

    operations = [migrations.RunPython(load_packs, migrations.RunPython.noop)]
