"""API tokens made before tokens expired get one: 90 days after they were created."""

from datetime import timedelta

from django.db import migrations
from django.db.models import DateTimeField, ExpressionWrapper, F, Value

EXISTING_TOKEN_DAYS = 90


def expire_old_tokens(apps, schema_editor):
    AuthToken = apps.get_model("knox", "AuthToken")
    lifetime = Value(timedelta(days=EXISTING_TOKEN_DAYS))
    AuthToken.objects.filter(expiry__isnull=True).update(
        expiry=ExpressionWrapper(F("created") + lifetime, output_field=DateTimeField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(expire_old_tokens, migrations.RunPython.noop)]
