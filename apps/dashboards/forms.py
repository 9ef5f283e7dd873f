from django import forms

from apps.accounts.models import Team
from apps.dashboards.selectors.portfolio import STATUS_LABELS
from apps.projects.models import RiskLevel


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            *((level, f"{label} ({level})") for level, label in STATUS_LABELS.items()),
        ],
    )
    risk_level = forms.ChoiceField(
        label="Risk level", required=False, choices=[("", "Any risk level"), *RiskLevel.choices]
    )
    team = forms.ModelChoiceField(
        label="Team", required=False, queryset=Team.objects.order_by("name"), empty_label="Any team"
    )
