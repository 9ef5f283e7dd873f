"""Beat runs on django-celery-beat's DatabaseScheduler wherever it is started: `make run`'s
launcher, docker-compose, and any `celery beat` reading the settings."""

from pathlib import Path

import yaml
from django.conf import settings

from qualiti import launcher
from qualiti.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def test_the_settings_name_the_database_scheduler():
    assert settings.CELERY_BEAT_SCHEDULER == SCHEDULER
    assert celery_app.conf.beat_scheduler == SCHEDULER


def test_make_run_starts_beat_on_the_database_scheduler():
    (beat,) = [
        service for service in launcher.services("127.0.0.1", "8000") if service.name == "beat"
    ]

    assert beat.command[beat.command.index("--scheduler") + 1] == SCHEDULER


def test_docker_compose_starts_beat_on_the_database_scheduler():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    command = compose["services"]["beat"]["command"].split()
    assert command[command.index("--scheduler") + 1] == SCHEDULER
