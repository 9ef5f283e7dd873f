from typing import cast

from django import forms

from apps.accounts.models import User
from apps.projects.models import Project
from apps.reports.models import ReportFrequency, ReportSchedule
from apps.reports.schedules import management_users, subscriber_candidates


class SubscriberField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        role = f", {obj.get_org_role_display().lower()}" if obj.org_role else ""
        return f"{name} ({obj.email or 'no e-mail address'}{role})"


class ReportScheduleForm(forms.Form):
    """A project's schedule: how often, to whom (management checked by default), on or off."""

    frequency = forms.ChoiceField(
        label="Send the project report",
        choices=ReportFrequency.choices,
        help_text="Weekly covers the last 7 days; monthly the last 30, sent on the 1st.",
    )
    subscribers = SubscriberField(
        label="Subscribers",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone who may see the project can receive it.",
        error_messages={"required": "Choose at least one subscriber."},
    )
    active = forms.BooleanField(label="Send it on this schedule", required=False, initial=True)

    def __init__(
        self, *args: object, project: Project, schedule: ReportSchedule | None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        subscribers = cast(SubscriberField, self.fields["subscribers"])
        subscribers.queryset = subscriber_candidates(project=project)
        if schedule is None:
            self.initial.setdefault("frequency", ReportFrequency.MONTHLY)
            self.initial.setdefault("subscribers", list(management_users()))
        else:
            self.initial.setdefault("frequency", schedule.frequency)
            self.initial.setdefault("subscribers", list(schedule.subscribers.all()))
            self.initial.setdefault("active", schedule.active)
