"""Pointing the test process's Celery at another broker for the duration of a test."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualiti.celery import app as celery_app


def forget_broker_connections() -> None:
    """Celery keeps a connection and producer pool per app; drop them to switch brokers."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str, transport_options: dict, transport: str | None = None) -> Iterator:
    """Celery reads CELERY_BROKER_URL from the environment first, so that changes too."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options, conf.broker_transport
    saved_environment = os.environ["CELERY_BROKER_URL"]
    forget_broker_connections()
    os.environ["CELERY_BROKER_URL"] = url
    conf.broker_url, conf.broker_transport_options = url, transport_options
    conf.broker_transport = transport
    try:
        yield
    finally:
        forget_broker_connections()
        os.environ["CELERY_BROKER_URL"] = saved_environment
        conf.broker_url, conf.broker_transport_options, conf.broker_transport = saved


def filesystem_broker_options(folder: Path) -> dict:
    """Transport options of an embedded broker in `folder` (its folders made here)."""
    for name in ("queue", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
