"""`GET /healthz`: is the database up, do the broker and the file store answer, is any worker
alive?"""

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qualiti.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down"; report it, don't raise
        logger.warning("healthz: database check failed: %s", error)
        return {"ok": False, "error": str(error)}
    return {"ok": True, "vendor": connection.vendor}


def broker_state() -> dict:
    transport = celery_app.conf.broker_url.split("://", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_TIMEOUT_SECONDS)
    except Exception as error:
        logger.warning("healthz: broker check failed: %s", error)
        return {"ok": False, "transport": transport, "error": str(error)}
    return {"ok": True, "transport": transport}


def workers_state() -> dict:
    try:
        replies = celery_app.control.ping(timeout=settings.HEALTHZ_TIMEOUT_SECONDS) or []
    except Exception as error:
        logger.warning("healthz: worker ping failed: %s", error)
        return {"ok": False, "count": 0, "error": str(error)}
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return {"ok": False, "count": 0, "error": "no worker answered the ping"}
    return {"ok": True, "count": len(names), "names": names}


def storage_state() -> dict:
    """The local folder always answers; a bucket must exist and let us in (HEAD bucket)."""
    bucket = getattr(default_storage, "bucket_name", None)  # django-storages' S3Storage
    if not bucket:
        return {"ok": True, "backend": "local"}
    try:
        client = default_storage.connection.meta.client  # type: ignore[attr-defined]
        client.head_bucket(Bucket=bucket)
    except Exception as error:
        logger.warning("healthz: storage check failed: %s", error)
        return {"ok": False, "backend": "s3", "bucket": bucket, "error": str(error)}
    return {"ok": True, "backend": "s3", "bucket": bucket}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_state(), "broker": broker_state(), "storage": storage_state()}
    # Pinging workers goes through the broker; without one the answer is known.
    if checks["broker"]["ok"]:
        checks["workers"] = workers_state()
    else:
        checks["workers"] = {"ok": False, "count": 0, "error": "broker unreachable"}
    failing = [name for name, state in checks.items() if not state["ok"]]
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, **checks}
    return JsonResponse(body, status=200 if not failing else 503)
