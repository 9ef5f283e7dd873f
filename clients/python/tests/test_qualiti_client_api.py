"""Requests: retries with back-off, refusals on one line, lookups by sha256."""

import hashlib

import httpx
import pytest
from qualiti_client.api import Client, RefusedError, ServerError, file_sha256, refusal_reason

TOKEN = "test-token"


def _client(url: str, sleeps: list[float], retries: int = 4) -> Client:
    return Client(url, TOKEN, retries=retries, backoff=0.5, sleep=sleeps.append, progress=False)


def test_it_retries_unavailable_answers_with_growing_waits(fake_qualiti) -> None:
    fake_qualiti.unavailable = 3
    sleeps: list[float] = []

    page = _client(fake_qualiti.url, sleeps).request("GET", "test-plans/", params={"name": "x"})

    assert page["count"] == 0
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(fake_qualiti.requests) == 4


def test_it_gives_up_after_its_retries_with_a_server_error(fake_qualiti) -> None:
    fake_qualiti.unavailable = 10
    sleeps: list[float] = []

    with pytest.raises(ServerError, match="after 3 attempts: HTTP 503"):
        _client(fake_qualiti.url, sleeps, retries=2).request("GET", "test-plans/")
    assert sleeps == [0.5, 1.0]


def test_an_unreachable_server_is_a_server_error() -> None:
    sleeps: list[float] = []

    with pytest.raises(ServerError, match="could not be reached"):
        _client("http://127.0.0.1:9", sleeps, retries=1).request("GET", "runs/1/")
    assert sleeps == [0.5]


def test_a_refusal_is_not_retried(fake_qualiti) -> None:
    sleeps: list[float] = []
    client = Client(fake_qualiti.url, "wrong", backoff=0.5, sleep=sleeps.append)

    with pytest.raises(RefusedError, match="Invalid token"):
        client.request("GET", "runs/1/")
    assert sleeps == []


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (400, {"detail": "The file is not a skops model.", "code": "invalid"}, "not a skops"),
        (400, {"role": ["Not a valid choice."]}, "role: Not a valid choice."),
        (400, {"detail": "Invalid input.", "errors": {"target": ["Unknown."]}}, "target: Unknown."),
        (400, {"detail": "Not valid.", "code": "invalid", "field": "dataset"}, "Not valid."),
        (400, {"non_field_errors": ["Both are needed."]}, "Both are needed."),
        (413, None, "HTTP 413"),
    ],
)
def test_a_refusal_reads_as_one_line(status: int, body: object, reason: str) -> None:
    response = httpx.Response(status, json=body) if body else httpx.Response(status)

    assert reason in refusal_reason(response)
    assert "\n" not in refusal_reason(response)


def test_it_hashes_a_file_as_the_server_does(tmp_path) -> None:
    path = tmp_path / "model.skops"
    path.write_bytes(b"x" * 3_000_000)

    assert file_sha256(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()


def test_it_ignores_a_listed_version_with_another_sha256(fake_qualiti) -> None:
    # A server without the sha256 filter lists every version: the client compares.
    fake_qualiti.model_versions.append({"id": 1, "label": "v1", "sha256": "a" * 64})
    client = _client(fake_qualiti.url, [])

    assert client.model_version_with_sha256(project="p", sha256="a" * 64)["id"] == 1
    assert client.model_version_with_sha256(project="p", sha256="b" * 64) is None


def test_an_upload_streams_the_file_with_a_progress_bar(fake_qualiti, tmp_path, capsys) -> None:
    path = tmp_path / "model.skops"
    path.write_bytes(b"m" * 2_500_000)
    client = Client(fake_qualiti.url, TOKEN, progress=True)

    created = client.model_version_upload(project="p", path=path, label="")

    assert created["sha256"] == file_sha256(path)
    assert "Uploading model.skops" in capsys.readouterr().err
