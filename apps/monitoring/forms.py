from typing import Any, cast

from django import forms

from apps.monitoring.models import MonitoringSchedule, ProjectMonitoring, Weekday
from apps.monitoring.services.settings import plan_names
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project


class ModelVersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ModelVersion) -> str:
        return f"v{obj.sequence} {obj.label}"


class MonitoringSettingsForm(forms.Form):
    """The production model version, the monitoring plan and its reference data."""

    production_model_version = ModelVersionField(
        label="Production model version",
        queryset=ModelVersion.objects.none(),
        required=False,
        empty_label="None yet",
        help_text="The version serving in production: every monitoring run evaluates it.",
    )
    plan_name = forms.ChoiceField(
        label="Monitoring plan",
        required=False,
        help_text="Each production sample uploaded is checked with this plan's approved "
        "version, without anyone launching the run. None turns that off.",
    )
    reference_dataset = forms.ModelChoiceField(
        label="Reference dataset",
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="The latest valid reference dataset",
        help_text="What drift is measured against, when the plan's checks compare.",
    )

    def __init__(
        self, *args: Any, project: Project, monitoring: ProjectMonitoring | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        versions = cast(forms.ModelChoiceField, self.fields["production_model_version"])
        versions.queryset = project.model_versions.order_by("-sequence")
        references = cast(forms.ModelChoiceField, self.fields["reference_dataset"])
        references.queryset = project.datasets.filter(role=DatasetRole.REFERENCE).order_by(
            "-created_at"
        )
        plans = cast(forms.ChoiceField, self.fields["plan_name"])
        plans.choices = [("", "None (no run on arrival)")] + [
            (name, name) for name in plan_names(project=project)
        ]
        if monitoring is not None:
            self.initial.setdefault("production_model_version", monitoring.production_model_version)
            self.initial.setdefault("plan_name", monitoring.plan_name)
            self.initial.setdefault("reference_dataset", monitoring.reference_dataset)


class MonitoringScheduleForm(forms.Form):
    """A plan re-run on the latest production sample, "Mondays 06:00"."""

    plan_name = forms.ChoiceField(label="Test plan")
    day_of_week = forms.ChoiceField(label="Day", choices=Weekday.choices, initial=Weekday.MONDAY)
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial="06:00",
        help_text="Hour and minute, server time zone.",
        error_messages={"invalid": "Enter a time as hours and minutes, e.g. 06:00."},
    )
    enabled = forms.BooleanField(label="Run on this schedule", required=False, initial=True)

    def __init__(
        self, *args: Any, project: Project, schedule: MonitoringSchedule | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        plans = cast(forms.ChoiceField, self.fields["plan_name"])
        plans.choices = [(name, name) for name in plan_names(project=project)]
        if schedule is not None:
            for name in ("plan_name", "day_of_week", "time", "enabled"):
                self.initial.setdefault(name, getattr(schedule, name))
