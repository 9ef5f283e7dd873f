"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import task_prerun

import apps.evaluations.engine  # noqa: F401 (first: it chooses Arrow's allocator, engine/__init__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualiti.settings.development")

app = Celery("qualiti")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem transport does not create its folders; make them before use."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = app.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@task_prerun.connect
def _forget_content_type_ids(**kwargs: object) -> None:
    """Content type ids are cached per process for its lifetime; a worker outliving a
    migration (or a test database flush) would write history rows with stale ids. One
    cheap query per task keeps it right."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@app.on_after_configure.connect
def _prepare_embedded_broker(sender: Celery, **kwargs: object) -> None:
    ensure_broker_folders()


@app.task(name="qualiti.worker_diagnostics")
def worker_diagnostics() -> dict:
    """What the worker sees: its database and how many users and projects it holds.

    Used by the integration tests (and by operators) to prove a round trip through the
    broker reaches a worker that reads the same database as the web process.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.projects.models import Project

    return {
        "database_vendor": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
        "users": get_user_model().objects.count(),
        "projects": Project.objects.count(),
    }
