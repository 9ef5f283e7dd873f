"""The Compliance tab's forms: which framework to show, and why a requirement does not
apply."""

from typing import Any, cast

from django import forms

from apps.standards.models import Framework


class FrameworkPickerForm(forms.Form):
    """Any framework, the project's chosen ones first, in two groups."""

    framework = forms.ChoiceField(label="Framework")

    def __init__(
        self, *args: Any, frameworks: list[Framework], chosen: set[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        followed = [(f.identifier, f.name) for f in frameworks if f.pk in chosen]
        others = [(f.identifier, f.name) for f in frameworks if f.pk not in chosen]
        groups = []
        if followed:
            groups.append(("Followed by this project", followed))
        if others:
            groups.append(("Other frameworks" if followed else "Frameworks", others))
        cast(forms.ChoiceField, self.fields["framework"]).choices = groups


class ExclusionForm(forms.Form):
    justification = forms.CharField(
        label="Why it does not apply",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="An auditor reads this: say why the requirement does not concern this system.",
    )
