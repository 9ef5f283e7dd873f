import datetime

from celery.schedules import crontab
from django.conf import settings
from django.db import models
from django.utils import timezone


class ProjectMonitoring(models.Model):
    """What a project monitors in production: the model version that serves, and the plan
    (by name: its approved version at the time of each run) every production sample is
    checked with."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="monitoring"
    )
    production_model_version = models.ForeignKey(
        "projects.ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The model version serving in production.",
    )
    plan_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The test plan every production sample is checked with (its approved "
        "version when the sample arrives).",
    )
    reference_dataset = models.ForeignKey(
        "projects.Dataset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="What the samples are compared with; empty: the latest valid reference dataset.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"monitoring of project {self.project_id}"


class Weekday(models.TextChoices):
    """Days as cron's day_of_week field writes them (0 is Sunday)."""

    EVERY_DAY = "*", "Every day"
    WORKDAYS = "1-5", "Monday to Friday"
    MONDAY = "1", "Mondays"
    TUESDAY = "2", "Tuesdays"
    WEDNESDAY = "3", "Wednesdays"
    THURSDAY = "4", "Thursdays"
    FRIDAY = "5", "Fridays"
    SATURDAY = "6", "Saturdays"
    SUNDAY = "0", "Sundays"


class MonitoringSchedule(models.Model):
    """A plan re-run on the latest production sample at a time of the week ("Mondays
    06:00", server time zone). Beat's own row (django-celery-beat's PeriodicTask) is kept
    in step by the services, in the same transaction."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="monitoring_schedules"
    )
    plan_name = models.CharField(max_length=200)
    day_of_week = models.CharField(max_length=8, choices=Weekday.choices, default=Weekday.MONDAY)
    time = models.TimeField(help_text="Hour and minute, server time zone.")
    enabled = models.BooleanField(default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(
        max_length=500, blank=True, help_text="What the last round did, in words."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "plan_name", "day_of_week", "time"]

    def __str__(self) -> str:
        return f"{self.plan_name}, {self.when_words}"

    @property
    def when_words(self) -> str:
        """The schedule as people say it: "Mondays 06:00"."""
        return f"{Weekday(self.day_of_week).label} {self.time:%H:%M}"

    def next_run_at(self, now: datetime.datetime | None = None) -> datetime.datetime | None:
        """When beat next sends this schedule's round (None when stopped), read the way
        beat reads its crontab, in the server's time zone."""
        if not self.enabled:
            return None
        now = timezone.localtime(now)
        cron = crontab(
            minute=str(self.time.minute),
            hour=str(self.time.hour),
            day_of_week=self.day_of_week,
            nowfun=lambda: now,
        )
        return now + cron.remaining_estimate(now)
