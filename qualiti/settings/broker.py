"""Celery's broker transport and result backend for a broker URL: the embedded default
(files in a folder) or Redis."""

from pathlib import Path

import environ

env = environ.Env()


def celery_transport(broker_url: str, broker_dir: Path) -> dict:
    """Broker transport options and result backend for a broker URL.

    The embedded default is kombu's filesystem transport: one folder serves as both the
    in and out queue, polled every 0.1 s, with results in files. It supports the fanout
    exchange that `celery inspect ping` and revoke need. Qualiti's subclass of it
    (`qualiti.broker`) writes each message atomically and sets undecodable files aside.
    """
    if broker_url.startswith("filesystem://"):
        return {
            "CELERY_BROKER_TRANSPORT": "qualiti.broker:Transport",
            "CELERY_BROKER_TRANSPORT_OPTIONS": {
                "data_folder_in": str(broker_dir / "queue"),
                "data_folder_out": str(broker_dir / "queue"),
                "control_folder": str(broker_dir / "control"),
                "store_processed": False,
                "polling_interval": 0.1,
            },
            "CELERY_RESULT_BACKEND": f"file://{broker_dir / 'results'}",
        }
    # The visibility timeout is longer than any evaluation's hard time limit, so Redis
    # never redelivers a task that a live worker is still running.
    return {
        "CELERY_BROKER_TRANSPORT": None,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
        },
        "CELERY_RESULT_BACKEND": broker_url,
    }
