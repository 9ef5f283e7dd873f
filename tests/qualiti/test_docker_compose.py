"""Docker cannot run here, so the compose file is checked for consistency as data."""

from pathlib import Path

import environ
import pytest
import yaml
from django.conf import settings

from qualiti.settings.storage import default_storage_backend

ROOT = Path(__file__).resolve().parent.parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_describes_the_services(compose):
    assert set(compose["services"]) == {
        "postgres", "redis", "minio", "minio-bucket", "web", "worker", "beat",
    }  # fmt: skip


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


def test_app_services_share_no_folder_and_keep_files_in_minio(compose):
    environment = compose["services"]["web"]["environment"]
    minio = compose["services"]["minio"]
    bucket = environment["QUALITI_STORAGE_URL"].removeprefix("s3://").split("/")[0]

    for name in APP_SERVICES:
        assert not compose["services"][name].get("volumes")  # a worker may run elsewhere
    assert "media" not in compose["volumes"]
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert environment["AWS_ACCESS_KEY_ID"] == minio["environment"]["MINIO_ROOT_USER"]
    assert environment["AWS_SECRET_ACCESS_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"]
    assert (
        f"mc mb --ignore-existing store/{bucket}"
        in compose["services"]["minio-bucket"]["entrypoint"]
    )
    assert "minio-data:/data" in minio["volumes"]


def test_the_compose_storage_settings_make_a_private_s3_storage(compose):
    env = environ.Env()
    env.ENVIRON = {
        key: str(value) for key, value in compose["services"]["web"]["environment"].items()
    }

    backend = default_storage_backend(env)

    assert backend["BACKEND"] == "storages.backends.s3.S3Storage"
    options = backend["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("qualiti", "files")
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["addressing_style"] == "path"  # no per-bucket host names on MinIO
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_app_services_wait_for_healthy_postgres_and_redis(compose):
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["minio-bucket"]["condition"] == "service_completed_successfully"
    for name in ("postgres", "redis", "minio"):
        assert "healthcheck" in compose["services"][name]
    bucket = compose["services"]["minio-bucket"]["depends_on"]["minio"]
    assert bucket["condition"] == "service_healthy"


def test_every_app_service_is_built_from_the_dockerfile(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()
