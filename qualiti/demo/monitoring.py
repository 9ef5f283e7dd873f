"""The demo project's monitoring: its latest model version is in production and the
release gate checks every production sample uploaded. No sample is seeded (that would be
runs at every `make run`); the Monitoring tab says how to send one."""

from apps.accounts.models import User
from apps.monitoring.models import ProjectMonitoring
from apps.monitoring.services.settings import monitoring_settings_set
from apps.projects.models import Project
from apps.testplans.models import TestPlan
from qualiti.demo.review import DEMO_PLAN


def demo_monitoring_seed(*, project: Project, qm: User) -> list[str]:
    """Name the production version and the monitoring plan, once."""
    if ProjectMonitoring.objects.filter(project=project).exists():
        return []
    version = project.model_versions.order_by("-sequence").first()
    if version is None or not TestPlan.objects.filter(project=project, name=DEMO_PLAN).exists():
        return []
    monitoring_settings_set(
        user=qm, project=project, production_model_version=version, plan_name=DEMO_PLAN
    )
    return [f"monitoring of v{version.sequence} with {DEMO_PLAN}"]
