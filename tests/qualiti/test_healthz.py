import pytest

from tests.support.brokers import celery_broker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_answers_200_when_database_broker_and_worker_answer(client, celery_worker):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert celery_worker.hostname in body["workers"]["names"]


@pytest.mark.django_db
def test_it_names_the_workers_when_none_answers(client, tmp_path):
    # A broker nobody consumes from: reachable, but no worker answers the ping.
    empty_broker = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "control_folder": str(tmp_path / "control"),
        "polling_interval": 0.1,
    }
    (tmp_path / "queue").mkdir()
    with celery_broker("filesystem://", empty_broker):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["workers"]
    assert body["workers"]["error"] == "no worker answered the ping"


@pytest.mark.django_db
def test_it_names_the_broker_when_it_is_unreachable(client):
    with celery_broker("redis://127.0.0.1:1/0", {}):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker", "workers"]
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_it_names_the_database_when_it_is_unreachable(client, settings):
    # No database access is granted to this test: every query fails, as when it is down.
    response = client.get("/healthz")

    assert response.status_code == 503
    assert "database" in response.json()["failing"]


@pytest.mark.django_db
def test_it_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
