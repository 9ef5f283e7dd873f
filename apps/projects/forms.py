"""Forms of the project pages: create a project, upload a model version or a dataset.

The forms only shape the input; the services judge it (file type, audit, named columns)
and their refusals are put back on the form by `qualiti.forms.service_error_add`.
"""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from apps.accounts.models import ProjectRole, Team, User
from apps.projects.models import (
    MODEL_CARD_FIELDS,
    DatasetRole,
    ModelVersion,
    Project,
    RiskLevel,
    TaskType,
)


def names_split(text: str) -> list[str]:
    """Column names typed one per line or separated by commas."""
    return [name.strip() for name in text.replace("\n", ",").split(",") if name.strip()]


class ModelVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"v{obj.sequence} · {obj.label}"


class ProjectCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="What the AI does."
    )
    risk_level = forms.ChoiceField(
        choices=RiskLevel.choices,
        initial=RiskLevel.LIMITED,
        help_text="How much harm the AI system can do (as in the EU AI Act's tiers).",
    )
    development_team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        empty_label="No team yet",
        help_text="The team that fixes this project's findings.",
    )
    run_on_upload = forms.BooleanField(
        required=False,
        label="Run the approved plan on each new model version",
        help_text="Each upload then queues an evaluation run by itself.",
    )


class ModelVersionUploadForm(forms.Form):
    artifact = forms.FileField(
        required=False,
        label="Model file",
        help_text="A .skops or .onnx file. Leave empty for a predictions-only version. "
        "Pickle and joblib files are refused: they can run code when loaded.",
    )
    label = forms.CharField(
        max_length=120,
        required=False,
        help_text="Free text, e.g. “retrained March”; v<n> if empty.",
    )
    task_type = forms.ChoiceField(
        choices=[("", "Read it from the model"), *TaskType.choices],
        required=False,
        label="Task type",
        help_text="Leave it to the model, or say it (needed without a model file).",
    )
    features = forms.CharField(
        required=False,
        label="Feature columns",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The input columns the model reads, separated by commas or one per line.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_features(self) -> list[str]:
        return names_split(self.cleaned_data["features"])


class ModelCardForm(forms.Form):
    """The model card's descriptive fields of a model version (labels, help texts and
    length limits from the model's fields); `model_version_describe` keeps them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                ModelVersion,
                fields=MODEL_CARD_FIELDS,
                widgets=dict.fromkeys(MODEL_CARD_FIELDS, forms.Textarea(attrs={"rows": 3})),
            )
        )


class DatasetUploadForm(forms.Form):
    file = forms.FileField(
        label="Data file",
        allow_empty_file=True,  # refused by the service, with its own message
        help_text="A CSV (UTF-8, header on the first line) or Parquet file.",
    )
    name = forms.CharField(max_length=200, label="Dataset name")
    role = forms.ChoiceField(choices=DatasetRole.choices)
    target_column = forms.CharField(
        max_length=200, required=False, help_text="The column holding the true labels."
    )
    sensitive_columns = forms.CharField(
        required=False,
        help_text="Columns for the fairness checks (e.g. gender, age), separated by commas.",
    )
    prediction_column = forms.CharField(
        max_length=200, required=False, help_text="Only for a file that carries predictions."
    )
    probability_columns = forms.CharField(
        required=False, help_text="Predicted probabilities, one column per class, by commas."
    )
    model_version = ModelVersionChoiceField(
        queryset=ModelVersion.objects.none(),
        required=False,
        label="Model version that made the predictions",
        empty_label="None",
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = cast(ModelVersionChoiceField, self.fields["model_version"])
        versions.queryset = ModelVersion.objects.filter(project=project)

    def clean_sensitive_columns(self) -> list[str]:
        return names_split(self.cleaned_data["sensitive_columns"])

    def clean_probability_columns(self) -> list[str]:
        return names_split(self.cleaned_data["probability_columns"])


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(label="Person", queryset=User.objects.none())
    role = forms.ChoiceField(label="Role", choices=ProjectRole.choices)

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = candidates


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=ProjectRole.choices)
