"""A monitored project: a launchable setup (tests/evaluations/factories.py) whose approved
plan is its monitoring plan, its model version in production, and production samples."""

from apps.monitoring.services.settings import monitoring_settings_set
from apps.projects.models import DatasetRole
from tests.evaluations.factories import LaunchSetup


class MonitoringSetup(LaunchSetup):
    def __init__(self, *, configured: bool = True) -> None:
        super().__init__()
        self.monitoring = None
        if configured:
            self.monitoring = monitoring_settings_set(
                user=self.qm,
                project=self.project,
                production_model_version=self.model_version,
                plan_name=self.plan.name,
            )

    def sample(self, **fields):
        """A valid production sample with the model version's predictions."""
        values = {
            "role": DatasetRole.PRODUCTION_SAMPLE,
            "model_version": self.model_version,
            "uploaded_by": self.qm,
        }
        values.update(fields)
        return self.make_dataset(**values)
