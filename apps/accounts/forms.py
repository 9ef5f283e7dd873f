from django import forms
from django.conf import settings

_LIFETIMES = (7, 30, 90, 180, 365)


def token_lifetime_choices() -> list[tuple[int, str]]:
    """The lifetimes offered on the tokens page: the usual ones up to the maximum, and the
    default wherever it falls."""
    days = {d for d in _LIFETIMES if d <= settings.QUALITI_TOKEN_MAX_DAYS}
    days.add(settings.QUALITI_TOKEN_DAYS)
    return [(d, f"{d} days") for d in sorted(days)]


class TokenCreateForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=token_lifetime_choices,
        required=False,
        empty_value=None,  # the default lifetime
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.QUALITI_TOKEN_DAYS
