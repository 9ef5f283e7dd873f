"""The run launch form: an approved plan, a model version and the datasets it runs on.

The choices are the project's own objects; run_create judges the rest (valid data, the
model's columns, the roles the plan needs) and its refusals are shown at the field.
"""

from typing import Any, cast

from django import forms

from apps.evaluations.services.launch import EVALUATED_ROLES
from apps.projects.models import Dataset, DatasetRole, ModelVersion, Project, ValidationStatus
from apps.testplans.models import PlanStatus, TestPlan


class _ReadOnceIterator(forms.models.ModelChoiceIterator):
    """Options from the queryset's own result cache: the form reads each list once, to see
    whether it has a single answer, and the page draws it from that read."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ReadOnceChoiceField(forms.ModelChoiceField):
    iterator = _ReadOnceIterator


class TestPlanChoiceField(_ReadOnceChoiceField):
    def label_from_instance(self, obj: TestPlan) -> str:
        return f"{obj.name} v{obj.version}"


class ModelVersionChoiceField(_ReadOnceChoiceField):
    def label_from_instance(self, obj: ModelVersion) -> str:
        return f"v{obj.sequence} · {obj.label} ({obj.get_artifact_format_display()})"


class DatasetChoiceField(_ReadOnceChoiceField):
    def label_from_instance(self, obj: Dataset) -> str:
        state = (
            ""
            if obj.validation_status == ValidationStatus.VALID
            else (f" — {obj.get_validation_status_display().lower()}")
        )
        rows = (
            f", {obj.row_count} row{'' if obj.row_count == 1 else 's'}"
            if obj.row_count is not None
            else ""
        )
        return f"{obj.name} ({obj.get_role_display().lower()}{rows}){state}"


class RunLaunchForm(forms.Form):
    test_plan = TestPlanChoiceField(
        queryset=TestPlan.objects.none(),
        empty_label="Choose an approved plan",
        help_text="Only approved plans can be run.",
    )
    model_version = ModelVersionChoiceField(
        queryset=ModelVersion.objects.none(), empty_label="Choose a model version"
    )
    dataset = DatasetChoiceField(
        queryset=Dataset.objects.none(),
        label="Evaluation dataset",
        empty_label="Choose the data to evaluate on",
        help_text="An evaluation set or a production sample, validated, with the model's "
        "feature columns.",
    )
    reference_dataset = DatasetChoiceField(
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="None",
        help_text="Needed by drift checks: the data the model was validated on.",
    )
    training_dataset = DatasetChoiceField(
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="None",
        help_text="Needed by checks that compare with the training data (leakage, baseline).",
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plans = cast(TestPlanChoiceField, self.fields["test_plan"])
        plans.queryset = TestPlan.objects.filter(
            project=project, status=PlanStatus.APPROVED
        ).order_by("name", "-version")
        versions = cast(ModelVersionChoiceField, self.fields["model_version"])
        versions.queryset = ModelVersion.objects.filter(project=project)
        # An invalid dataset can never be evaluated, so it is not offered; one still being
        # validated is, marked so (it is usually valid by the time the form is sent).
        datasets = (
            Dataset.objects.filter(project=project)
            .exclude(validation_status=ValidationStatus.INVALID)
            .order_by("-created_at")
        )
        for name, roles in (
            ("dataset", EVALUATED_ROLES),
            ("reference_dataset", (DatasetRole.REFERENCE,)),
            ("training_dataset", (DatasetRole.TRAIN,)),
        ):
            field = cast(DatasetChoiceField, self.fields[name])
            field.queryset = datasets.filter(role__in=roles)
        if not self.is_bound:
            self._preselect_only_choices()

    def _preselect_only_choices(self) -> None:
        """A list with one possible answer starts on it (a reference or training dataset
        can still be set back to None)."""
        for name, field in self.fields.items():
            if name in self.initial or not isinstance(field, forms.ModelChoiceField):
                continue
            objects = list(field.queryset)  # type: ignore[arg-type]  # cached for the page
            if len(objects) == 1:
                self.initial[name] = objects[0].pk
