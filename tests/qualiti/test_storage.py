"""Where files are kept: the settings that choose the local folder or a bucket, and the
health check's view of the file store (a real S3 server process, moto's)."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from qualiti.health import storage_state
from qualiti.settings.storage import default_storage_backend

pytest_plugins = ["tests.support.s3"]  # the S3 server and bucket fixtures


def backend_for(**variables: str) -> dict:
    env = environ.Env()
    env.ENVIRON = variables
    return default_storage_backend(env)


def test_without_a_storage_url_files_stay_in_the_local_folder():
    assert backend_for() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.parametrize("url", ["file:///srv/media", "s3://", "minio://bucket/x"])
def test_a_storage_url_that_is_not_a_bucket_refuses_to_start(url):
    with pytest.raises(ImproperlyConfigured, match="s3://bucket/prefix"):
        backend_for(QUALITI_STORAGE_URL=url)


def test_a_bucket_url_makes_a_private_s3_storage_under_its_prefix():
    backend = backend_for(
        QUALITI_STORAGE_URL="s3://quality-files/prod/media/",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )

    options = backend["OPTIONS"]
    assert backend["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["location"]) == ("quality-files", "prod/media")
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["addressing_style"] == "path"
    assert options["default_acl"] is None and options["querystring_expire"] <= 300
    assert options["file_overwrite"] is False
    assert options["transfer_config"].multipart_chunksize == 8 * 1024**2


def test_on_aws_itself_the_addressing_style_and_credentials_are_botos():
    options = backend_for(QUALITI_STORAGE_URL="s3://quality-files")["OPTIONS"]

    assert options["endpoint_url"] is None and options["addressing_style"] == "auto"
    assert "access_key" not in options and options["location"] == ""


def test_the_health_check_sees_the_local_folder():
    assert storage_state() == {"ok": True, "backend": "local"}


def test_the_health_check_sees_the_bucket(s3_storage):
    assert storage_state() == {"ok": True, "backend": "s3", "bucket": s3_storage.name}


def test_the_health_check_names_a_bucket_it_cannot_reach(s3_storage, settings):
    backend = s3_storage.storage_backend()
    backend["OPTIONS"]["bucket_name"] = "qualiti-no-such-bucket"
    settings.STORAGES = {**settings.STORAGES, "default": backend}

    state = storage_state()

    assert state["ok"] is False and state["bucket"] == "qualiti-no-such-bucket"
    assert "404" in state["error"] or "Not Found" in state["error"]
