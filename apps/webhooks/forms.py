from django import forms

from apps.webhooks.models import WebhookEvent, WebhookFormat


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Payload URL",
        max_length=500,
        help_text="http:// or https://. Addresses inside this network are refused unless an "
        "administrator allows them.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/qualiti-hook"}),
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEvent.choices,
        initial=list(WebhookEvent.values),
        widget=forms.CheckboxSelectMultiple,
    )
    format = forms.ChoiceField(
        label="Payload format",
        choices=WebhookFormat.choices,
        initial=WebhookFormat.JSON,
        help_text="Slack-compatible sends a `text` line that a Slack or Mattermost incoming "
        "webhook shows as it is.",
    )
