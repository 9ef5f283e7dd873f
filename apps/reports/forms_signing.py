"""The forms of the sign-off: a run's analysis, and a file to verify."""

from django import forms
from django.conf import settings

from apps.reports.models import Conclusion
from apps.reports.services_signing import ANALYSIS_MAX_CHARS, CONDITIONS_MAX_CHARS


class RunAnalysisForm(forms.Form):
    text = forms.CharField(
        label="Analysis",
        required=False,
        max_length=ANALYSIS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: what the results mean, what is at risk, what must be done.",
    )
    conclusion = forms.ChoiceField(
        label="Conclusion",
        required=False,
        choices=[("", "Not decided yet"), *Conclusion.choices],
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        max_length=CONDITIONS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='Required for "Release with conditions": what must hold for the release.',
    )


class ReportVerifyForm(forms.Form):
    file = forms.FileField(
        label="Report file",
        help_text="The PDF or HTML file of a report, exactly as it was downloaded.",
        error_messages={
            "required": "Choose the report's PDF or HTML file to verify.",
            "empty": "The file is empty: it is no report.",
        },
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = settings.QUALITI_VERIFY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024**2:.1f} MiB; a report to verify may be at "
                f"most {limit / 1024**2:.0f} MiB."
            )
        return upload
