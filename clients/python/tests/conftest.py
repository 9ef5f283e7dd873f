"""A fake Qualiti server on a local port: just enough of /api/v1/ for the gate, in memory.

The client's unit tests need no Django, no database and no worker; the main suite's
tests/clients/ run the client against the real server.
"""

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

TOKEN = "test-token"


@dataclass
class FakeQualiti:
    """The server's state, and knobs the tests turn."""

    url: str = ""
    model_versions: list[dict] = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    verdict: str = "pass"
    uploads: list[str] = field(default_factory=list)  # the names of the files received
    unavailable: int = 0  # answer this many requests with 503 first
    refuse_model: str = ""  # a reason to refuse model uploads with (400)
    run_never_finishes: bool = False
    stop_after_launch: bool = False  # then hang up on every request, as a stopped server
    stopped: bool = False
    requests: list[str] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    validating_for: int = 0  # a new dataset is "validating" for this many reads of it


def _page(items: list[dict]) -> dict:
    return {"count": len(items), "next": None, "previous": None, "results": items}


def _form(headers, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    raw = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    fields = {}
    for part in message.iter_parts():
        fields[part.get_param("name", header="content-disposition")] = (
            part.get_filename(),
            part.get_payload(decode=True),
        )
    return fields


def _handler(state: FakeQualiti) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _guard(self) -> bool:
            state.requests.append(f"{self.command} {self.path}")
            if state.stopped:
                self.close_connection = True  # no answer at all
                return False
            if state.unavailable > 0:
                state.unavailable -= 1
                self._answer(503, {"detail": "Unavailable."})
                return False
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                self._answer(401, {"detail": "Invalid token."})
                return False
            return True

        def do_GET(self) -> None:
            if not self._guard():
                return
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            path = url.path.removeprefix("/api/v1/")
            if path == "test-plans/":
                plans = [{"id": 7, "name": "release", "version": 2, "status": "approved"}]
                self._answer(200, _page([p for p in plans if p["name"] == query.get("name")]))
            elif path == "model-versions/":
                found = [m for m in state.model_versions if m["sha256"] == query.get("sha256")]
                self._answer(200, _page(found))
            elif path == "datasets/":
                found = [
                    d
                    for d in reversed(state.datasets)
                    if d["role"] == query.get("role")
                    and ("sha256" not in query or d["sha256"] == query["sha256"])
                ]
                self._answer(200, _page(found))
            elif path.startswith("datasets/"):
                dataset = state.datasets[int(path.split("/")[1]) - 1]
                dataset["reads"] = dataset.get("reads", 0) + 1
                if dataset["reads"] >= state.validating_for:
                    dataset["validation_status"] = "valid"
                self._answer(200, dataset)
            elif path.startswith("runs/"):
                run = state.runs[int(path.split("/")[1]) - 1]
                if not state.run_never_finishes:
                    run.update(status="succeeded", progress=100, verdict=state.verdict)
                else:
                    run.update(status="running", progress=40)
                self._answer(200, run)
            elif path == "check-results/":
                self._answer(200, _page(state.results))
            elif path == "findings/":
                found = [f for f in state.findings if f["project"] == query.get("project")]
                self._answer(200, _page(found))
            else:
                self._answer(404, {"detail": "Not found."})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not self._guard():
                return
            path = urlsplit(self.path).path.removeprefix("/api/v1/")
            if path == "model-versions/":
                if state.refuse_model:
                    self._answer(400, {"detail": state.refuse_model, "code": "invalid"})
                    return
                form = _form(self.headers, body)
                name, content = form["artifact"]
                state.uploads.append(name or "")
                item = {
                    "id": len(state.model_versions) + 1,
                    "label": f"v{len(state.model_versions) + 1}",
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
                state.model_versions.append(item)
                self._answer(201, item)
            elif path == "datasets/":
                form = _form(self.headers, body)
                name, content = form["file"]
                state.uploads.append(name or "")
                item = {
                    "id": len(state.datasets) + 1,
                    "role": form["role"][1].decode(),
                    "target_column": form.get("target_column", (None, b""))[1].decode(),
                    "sensitive_columns": [],
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "validation_status": "validating" if state.validating_for else "valid",
                    "validation_error": "",
                }
                state.datasets.append(item)
                self._answer(201, item)
            elif path == "runs/":
                fields = json.loads(body)
                run = {
                    "id": len(state.runs) + 1,
                    "project": fields["project"],
                    "status": "queued",
                    "progress": 0,
                    "verdict": None,
                    **fields,
                }
                state.runs.append(run)
                self._answer(201, run)
                state.stopped = state.stop_after_launch
            else:
                self._answer(404, {"detail": "Not found."})

    return Handler


@pytest.fixture
def fake_qualiti() -> Iterator[FakeQualiti]:
    state = FakeQualiti()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


FAILING_RESULTS = [
    {
        "id": 1,
        "check_key": "accuracy",
        "category": "performance",
        "subject": "",
        "outcome": "pass",
        "severity": "high",
        "blocking": True,
        "message": "",
        "duration_ms": 12,
    },
    {
        "id": 2,
        "check_key": "demographic_parity",
        "category": "fairness",
        "subject": "sex",
        "outcome": "fail",
        "severity": "critical",
        "blocking": True,
        "message": "The selection-rate gap 0.31 exceeds 0.10.",
        "duration_ms": 40,
    },
    {
        "id": 3,
        "check_key": "missing_values",
        "category": "data_quality",
        "subject": "age",
        "outcome": "fail",
        "severity": "low",
        "blocking": False,
        "message": "4% missing | over 2%.",
        "duration_ms": 3,
    },
    {
        "id": 4,
        "check_key": "latency",
        "category": "performance",
        "subject": "",
        "outcome": "skipped",
        "severity": "",
        "blocking": False,
        "message": "No model artifact.",
        "duration_ms": 0,
    },
]
