import pytest
from django.conf import settings

from qualiti.celery import app as celery_app
from qualiti.celery import worker_diagnostics
from qualiti.demo.seed import demo_seed

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_runs_a_task_on_a_real_worker_that_reads_the_test_database(celery_worker):
    demo_seed()

    result = worker_diagnostics.delay().get(timeout=60)

    assert result["users"] == 5
    assert result["projects"] == 1
    assert result["database_name"] == str(settings.DATABASES["default"]["NAME"])


def test_it_consumes_the_evaluations_queue_too(celery_worker):
    result = worker_diagnostics.apply_async(queue=settings.CELERY_EVALUATIONS_QUEUE)

    assert result.get(timeout=60)["projects"] == 0


def test_the_worker_answers_a_ping_through_the_broker(celery_worker):
    replies = celery_app.control.ping(destination=[celery_worker.hostname], timeout=2)

    assert replies == [{celery_worker.hostname: {"ok": "pong"}}]


def test_the_session_has_a_broker_of_its_own():
    connection = celery_app.connection_for_write()
    if connection.transport_cls == "filesystem":
        assert settings.TEST_SESSION in connection.transport_options["data_folder_in"]
    else:
        assert connection.virtual_host != "0"  # database 0 is left to development
