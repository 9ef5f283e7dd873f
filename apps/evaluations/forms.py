"""The run launch form: an approved plan, a model version and the datasets it runs on.

The choices are the project's own objects; run_create judges the rest (valid data, the
model's columns, the roles the plan needs) and its refusals are shown at the field.
"""

from django import forms

from apps.evaluations.services.launch import EVALUATED_ROLES
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project, ValidationStatus
from apps.testplans.models import PlanStatus, TestPlan


def _dataset_label(dataset: Dataset) -> str:
    state = (
        ""
        if dataset.validation_status == ValidationStatus.VALID
        else (f" — {dataset.get_validation_status_display().lower()}")
    )
    rows = f", {dataset.row_count} rows" if dataset.row_count is not None else ""
    return f"{dataset.name} ({dataset.get_role_display().lower()}{rows}){state}"


class RunLaunchForm(forms.Form):
    test_plan = forms.ModelChoiceField(
        queryset=TestPlan.objects.none(),
        empty_label="Choose an approved plan",
        help_text="Only approved plans can be run.",
    )
    model_version = forms.ModelChoiceField(
        queryset=ModelVersion.objects.none(), empty_label="Choose a model version"
    )
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.none(),
        label="Evaluation dataset",
        empty_label="Choose the data to evaluate on",
        help_text="An evaluation set or a production sample, validated, with the model's "
        "feature columns.",
    )
    reference_dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="None",
        help_text="Needed by drift checks: the data the model was validated on.",
    )
    training_dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="None",
        help_text="Needed by checks that compare with the training data (leakage, baseline).",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["test_plan"].queryset = TestPlan.objects.filter(
            project=project, status=PlanStatus.APPROVED
        ).order_by("name", "-version")
        self.fields["test_plan"].label_from_instance = lambda plan: f"{plan.name} v{plan.version}"
        self.fields["model_version"].queryset = ModelVersion.objects.filter(project=project)
        self.fields["model_version"].label_from_instance = lambda version: (
            f"v{version.sequence} · {version.label} ({version.get_artifact_format_display()})"
        )
        datasets = Dataset.objects.filter(project=project).order_by("-created_at")
        for name, roles in (
            ("dataset", EVALUATED_ROLES),
            ("reference_dataset", (DatasetRole.REFERENCE,)),
            ("training_dataset", (DatasetRole.TRAIN,)),
        ):
            self.fields[name].queryset = datasets.filter(role__in=roles)
            self.fields[name].label_from_instance = _dataset_label
