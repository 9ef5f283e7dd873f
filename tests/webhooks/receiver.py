"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1.

It answers each POST with the next status of its script (the last one repeats), records
what arrived, and checks the signature as a receiver in the wild would.
"""

import hashlib
import hmac
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


class Receiver:
    def __init__(self, statuses: list[int] | None = None, *, answer: bytes = b"ok") -> None:
        self.statuses = list(statuses or [200])
        self.answer = answer
        self.extra_headers: dict[str, str] = {}
        self.secret = ""
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                header = self.headers.get("X-Qualiti-Signature", "")
                with receiver.arrived:
                    receiver.received.append(
                        Received(
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                            signature_ok=signature_ok(receiver.secret, body, header),
                        )
                    )
                    index = len(receiver.received) - 1
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                    receiver.arrived.notify_all()
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} of {count} requests after {timeout}s")
            return list(self.received)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
