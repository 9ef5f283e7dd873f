from django import forms
from django.conf import settings

from apps.reports.sharing import MAX_DAYS, MIN_DAYS


class ShareForm(forms.Form):
    label = forms.CharField(
        label="For whom",
        max_length=200,
        required=False,
        help_text="Who receives the link (an auditor, the board): shown in the list and the log.",
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        help_text=f"{MIN_DAYS} to {MAX_DAYS} days.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["days"].initial = settings.QUALITI_SHARE_LINK_DAYS
