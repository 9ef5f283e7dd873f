"""Docker cannot run here, so the compose file is checked for consistency as data."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_describes_the_five_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_app_services_share_one_environment_pointing_at_postgres_and_redis(compose):
    environments = [compose["services"][name]["environment"] for name in APP_SERVICES]

    assert environments[0] == environments[1] == environments[2]
    environment = environments[0]
    assert environment["DJANGO_SETTINGS_MODULE"] == "qualiti.settings.production"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert "SECRET_KEY" in environment


def test_the_database_credentials_match_the_postgres_service(compose):
    postgres = compose["services"]["postgres"]["environment"]
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]

    assert url.startswith(f"postgres://{postgres['POSTGRES_USER']}:")
    assert url.endswith(f"/{postgres['POSTGRES_DB']}")


def test_web_migrates_then_serves_with_gunicorn(compose):
    command = compose["services"]["web"]["command"]

    assert command.index("manage.py migrate") < command.index("gunicorn qualiti.wsgi:application")


def test_the_worker_consumes_every_queue_and_beat_runs(compose):
    worker = compose["services"]["worker"]["command"]
    queues = worker.split("--queues", 1)[1].split()[0].split(",")

    assert set(queues) == set(settings.CELERY_WORKER_QUEUES)
    assert "celery -A qualiti worker" in worker
    assert "celery -A qualiti beat" in compose["services"]["beat"]["command"]


def test_web_and_worker_share_the_media_volume(compose):
    media = compose["services"]["web"]["environment"]["MEDIA_ROOT"]
    for name in ("web", "worker"):
        assert f"media:{media}" in compose["services"][name]["volumes"]
    assert "media" in compose["volumes"]


def test_app_services_wait_for_healthy_postgres_and_redis(compose):
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    for name in ("postgres", "redis"):
        assert "healthcheck" in compose["services"][name]


def test_every_app_service_is_built_from_the_dockerfile(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()
