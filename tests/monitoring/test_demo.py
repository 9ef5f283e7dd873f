"""The demo project is monitored: its latest model version in production, the release
gate checking each production sample uploaded (`manage.py seed_demo`, idempotent)."""

import io

import pytest
from django.core.management import call_command

from apps.monitoring.models import ProjectMonitoring
from qualiti.demo.review import DEMO_PLAN
from qualiti.demo.runs import FIXED_MODEL_LABEL

pytestmark = pytest.mark.django_db(transaction=True)  # the demo's runs write from a thread


def test_the_demo_project_monitors_its_latest_version_once():
    call_command("seed_demo", stdout=io.StringIO())
    second = io.StringIO()
    call_command("seed_demo", stdout=second)

    monitoring = ProjectMonitoring.objects.get()
    assert monitoring.production_model_version.label == FIXED_MODEL_LABEL
    assert monitoring.plan_name == DEMO_PLAN
    assert "nothing changed" in second.getvalue()
