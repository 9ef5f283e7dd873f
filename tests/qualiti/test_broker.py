"""The embedded broker (qualiti.broker): whole messages only, and a file that cannot be
decoded is set aside instead of killing the worker."""

import json
import time
from pathlib import Path

import pytest
from kombu import Connection

from qualiti.broker import sending_order
from qualiti.celery import worker_diagnostics
from tests.support.brokers import celery_broker, filesystem_broker_options
from tests.support.worker import CeleryWorkerProcess

TRANSPORT = "qualiti.broker:Transport"


def connection(folder: Path) -> Connection:
    return Connection(
        "filesystem://", transport=TRANSPORT, transport_options=filesystem_broker_options(folder)
    )


def drop_bad_messages(queue_folder: Path, queue: str) -> list[str]:
    """An empty message file and a half-written one, named as real messages are, and
    older than any message sent after them."""
    queue_folder.mkdir(parents=True, exist_ok=True)
    names = [f"1_00000000-0000-0000-0000-00000000000{n}.{queue}.msg" for n in (1, 2)]
    (queue_folder / names[0]).write_bytes(b"")
    (queue_folder / names[1]).write_bytes(b'{"body": "eyJ0YXNrIjog", "content-enc')
    return names


# kombu keeps exchange bindings per process, whatever the folder: each test has its queue.


def test_a_message_is_renamed_into_the_queue_whole(tmp_path):
    with connection(tmp_path) as conn:
        conn.SimpleQueue("jobs").put({"n": 1})

    files = list((tmp_path / "queue").iterdir())
    assert len(files) == 1
    assert files[0].name.endswith(".jobs.msg")
    json.loads(files[0].read_bytes())  # complete
    assert list((tmp_path / "incoming").iterdir()) == []  # nothing left half-way


def test_messages_are_read_in_the_order_they_were_sent():
    names = ["12_b.q.msg", "1_a.q.msg", "100_c.q.msg", "junk.q.msg", "9_d.q.msg"]
    assert sorted(names, key=sending_order) == [
        "junk.q.msg",
        "1_a.q.msg",
        "9_d.q.msg",
        "12_b.q.msg",
        "100_c.q.msg",
    ]


def test_undecodable_files_are_set_aside_and_the_next_message_is_read(tmp_path):
    bad = drop_bad_messages(tmp_path / "queue", "work")
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("work")
        queue.put({"n": 2})
        message = queue.get(timeout=5)
        message.ack()

    assert message.payload == {"n": 2}
    assert sorted(path.name for path in (tmp_path / "rejected").iterdir()) == bad
    assert [path.name for path in (tmp_path / "queue").iterdir()] == []  # not retried


def test_a_file_of_valid_json_that_is_no_message_is_set_aside(tmp_path):
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "1_x.tasks.msg").write_text('{"body": 1}')
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        with pytest.raises(queue.Empty):
            queue.get(timeout=0.5)

    assert [path.name for path in (tmp_path / "rejected").iterdir()] == ["1_x.tasks.msg"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_bad_message_files_and_runs_the_next_task(tmp_path):
    options = filesystem_broker_options(tmp_path)
    worker = CeleryWorkerProcess(
        name="broker-worker",
        extra_env={"CELERY_BROKER_URL": "filesystem://", "QUALITI_TEST_BROKER_DIR": str(tmp_path)},
    )
    with celery_broker("filesystem://", options, transport=TRANSPORT):
        worker.start()
        try:
            bad = drop_bad_messages(tmp_path / "queue", "default")
            task = worker_diagnostics.delay()
            deadline = time.monotonic() + 60
            while f"[{task.id}] succeeded" not in worker.log_tail(200):
                assert worker.process.poll() is None, worker.log_tail()
                assert time.monotonic() < deadline, worker.log_tail()
                time.sleep(0.2)
            assert worker.ping()
        finally:
            worker.stop()

    assert sorted(path.name for path in (tmp_path / "rejected").iterdir()) == bad
    assert "cannot be decoded" in worker.log_tail(200)
