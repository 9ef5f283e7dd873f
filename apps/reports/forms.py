"""The Reports tab's form: which report to generate, about what."""

from typing import Any

from django import forms

from apps.evaluations.models import FINISHED_RUN_STATUSES, EvaluationRun
from apps.projects.models import ModelVersion, Project
from apps.reports.models import ReportKind
from apps.reports.period import Period


class RunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        verdict = obj.get_verdict_display() or obj.get_status_display()
        return f"Run {obj.pk}: model version {obj.model_version.sequence}, {verdict}"


class ModelVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.sequence}: {obj.label}"


class ReportRequestForm(forms.Form):
    """A report of one of the project's finished runs, of the project over a period, or
    a model version's card."""

    kind = forms.ChoiceField(
        choices=[
            (ReportKind.RUN, "Run report"),
            (ReportKind.PROJECT, "Project report for a period"),
            (ReportKind.MODEL_CARD, "Model card"),
        ]
    )
    run = RunChoiceField(queryset=EvaluationRun.objects.none(), required=False)
    model_version = ModelVersionChoiceField(queryset=ModelVersion.objects.none(), required=False)
    period_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    commentary = forms.CharField(
        label="Commentary on the period",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A project report's commentary, by its quality manager (Markdown).",
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        default = Period.last_days()
        kwargs.setdefault("initial", {"period_end": default.end, "period_start": default.start})
        super().__init__(*args, **kwargs)
        runs = EvaluationRun.objects.filter(project=project, status__in=FINISHED_RUN_STATUSES)
        run_field = self.fields["run"]
        version_field = self.fields["model_version"]
        assert isinstance(run_field, forms.ModelChoiceField)  # noqa: S101 (narrowing)
        assert isinstance(version_field, forms.ModelChoiceField)  # noqa: S101 (narrowing)
        run_field.queryset = runs.select_related("model_version").order_by("-created_at")
        version_field.queryset = ModelVersion.objects.filter(project=project).order_by("-sequence")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ReportKind.RUN and not data.get("run"):
            self.add_error("run", "Choose the run to report on.")
        if kind == ReportKind.MODEL_CARD and not data.get("model_version"):
            self.add_error("model_version", "Choose the model version.")
        if kind == ReportKind.PROJECT:
            default = Period.last_days(end=data.get("period_end"))
            data["period_end"] = default.end
            if data.get("period_start") is None:
                data["period_start"] = default.start
        return data

    def subject(self) -> dict[str, Any]:
        """The service's keyword arguments for the chosen kind."""
        data = self.cleaned_data
        kind = data["kind"]
        if kind == ReportKind.RUN:
            return {"run": data["run"]}
        if kind == ReportKind.MODEL_CARD:
            return {"model_version": data["model_version"]}
        return {
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "commentary": data.get("commentary", ""),
        }
