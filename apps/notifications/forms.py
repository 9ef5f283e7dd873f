from django import forms

from apps.notifications.kinds import KINDS, Delivery


class PreferencesForm(forms.Form):
    """One choice per kind of notice: in the app only, e-mail at once, or daily digest."""

    def __init__(self, *args: object, initial_choices: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind in KINDS:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_choices[kind.key],
                help_text=f"When {kind.when}.",
            )
