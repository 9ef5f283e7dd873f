"""Framework revisions: the first revision of each framework as it stands, so that later
pack changes are recorded against it ("What's new")."""

import django.db.models.deletion
from django.db import migrations, models


def record_first_revisions(apps, schema_editor):
    from apps.standards.migrations._pack_loader import framework_revise

    framework_model = apps.get_model("standards", "Framework")
    revision_model = apps.get_model("standards", "FrameworkRevision")
    for framework in framework_model.objects.all():
        framework_revise(framework, revision_model, None)


class Migration(migrations.Migration):
    dependencies = [("standards", "0004_project_frameworks_and_applicability")]

    operations = [
        migrations.CreateModel(
            name="FrameworkRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("revision", models.PositiveIntegerField()),
                (
                    "changes",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="[{requirement, field, before, after}] from the revision before.",
                    ),
                ),
                ("requirement_count", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "framework",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="standards.framework",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "framework__identifier"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("framework", "revision"), name="framework_revision_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(record_first_revisions, migrations.RunPython.noop),
    ]
