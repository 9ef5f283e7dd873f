"""The SSRF guard: which URLs and addresses a webhook may reach, and how it talks to them."""

import ipaddress
import socket
import ssl
import threading
import time

import pytest

from apps.webhooks import safe_http
from apps.webhooks.safe_http import RequestFailed, RequestRefused, address_refusal, post
from tests.webhooks.receiver import Receiver

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.0.10", "private"),
    ("169.254.169.254", "link-local"),  # the cloud metadata service
    ("0.0.0.0", "unspecified"),  # noqa: S104 (an address refused, not bound)
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "not publicly routable"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique-local"),
    ("fd12:3456::1", "unique-local"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "IPv4-mapped"),
    ("::ffff:169.254.169.254", "IPv4-mapped"),
    ("::ffff:8.8.8.8", "IPv4-mapped"),
    ("2002:7f00:1::1", "wrapping of 127.0.0.1"),  # 6to4
    ("64:ff9b::a00:1", "wrapping of 10.0.0.1"),  # NAT64
]


@pytest.fixture
def no_connection(monkeypatch):
    """Fails the test if anything opens a TCP connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)


def resolving(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make getaddrinfo answer these names with these addresses; returns the names asked."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host not in answers:
            return real(host, port, *args, **kwargs)
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def url_of(address: str, path: str = "/hook") -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}{path}"


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_each_inner_address_class_is_refused_before_any_connection(address, kind, no_connection):
    with pytest.raises(RequestRefused) as refused:
        post(url_of(address), body=b"{}", headers={})

    assert kind in str(refused.value)
    assert "QUALITI_WEBHOOK_ALLOWED_HOSTS" in str(refused.value)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1"])
def test_public_addresses_are_not_refused(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com/hook", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("gopher://example.com:70/", "Only http:// and https://"),
        ("http:///hook", "no host"),
        ("https://user:pass@example.com/hook", "no user name or password"),
        ("http://example.com:99999/", "not valid"),
    ],
)
def test_urls_that_can_never_be_webhooks_are_refused(url, words, no_connection):
    with pytest.raises(RequestRefused, match=words):
        post(url, body=b"{}", headers={})


def test_a_name_resolving_to_loopback_is_refused_unless_allowed(monkeypatch):
    resolving(monkeypatch, {"hooks.example.com": ["127.0.0.1"]})
    with Receiver() as receiver:
        url = f"http://hooks.example.com:{receiver.port}/hook"

        with pytest.raises(RequestRefused, match=r"hooks\.example\.com resolves to 127\.0\.0\.1"):
            post(url, body=b"{}", headers={})
        assert receiver.received == []

        by_network = post(url, body=b"{}", headers={}, allowed_hosts=["127.0.0.0/8"])
        by_name = post(url, body=b"{}", headers={}, allowed_hosts=["hooks.example.com"])

    assert by_network.status == by_name.status == 200
    assert len(receiver.received) == 2


def test_one_inner_address_among_public_ones_refuses_the_name(monkeypatch, no_connection):
    resolving(monkeypatch, {"mixed.example.com": ["93.184.216.34", "10.0.0.7"]})

    with pytest.raises(RequestRefused, match=r"10\.0\.0\.7"):
        post("http://mixed.example.com/", body=b"{}", headers={})


def test_an_ipv4_mapped_address_is_allowed_only_through_its_ipv4_network(no_connection):
    allowed = safe_http.AllowedHosts.parse(["127.0.0.1"])

    assert allowed.allows_address(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not allowed.allows_address(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert not safe_http.AllowedHosts.parse(["example.com"]).allows_address(
        ipaddress.ip_address("127.0.0.1")
    )


def test_the_connection_goes_to_the_checked_address_and_keeps_the_host_name(monkeypatch):
    resolving(monkeypatch, {"receiver.test": ["127.0.0.1"]})
    with Receiver() as receiver:
        answer = post(
            f"http://receiver.test:{receiver.port}/hook?x=1",
            body=b'{"a":1}',
            headers={"X-Test": "yes"},
            allowed_hosts=["127.0.0.1"],
        )

    assert answer.status == 200 and answer.body == b"ok" and not answer.truncated
    (request,) = receiver.received
    assert request.headers["host"] == f"receiver.test:{receiver.port}"
    assert request.path == "/hook?x=1"
    assert request.body == b'{"a":1}'


def test_the_name_is_resolved_again_at_every_request(monkeypatch):
    """DNS rebinding: a name that answered an allowed address once and an inner one next
    is refused the second time, because nothing is cached."""
    answers = {"rebind.test": ["127.0.0.1"]}
    asked = resolving(monkeypatch, answers)
    with Receiver() as receiver:
        url = f"http://rebind.test:{receiver.port}/"
        assert post(url, body=b"{}", headers={}, allowed_hosts=["127.0.0.1"]).status == 200

        answers["rebind.test"] = ["10.0.0.1"]
        with pytest.raises(RequestRefused, match=r"10\.0\.0\.1"):
            post(url, body=b"{}", headers={}, allowed_hosts=["127.0.0.1"])

    assert asked.count("rebind.test") == 2
    assert len(receiver.received) == 1


def test_tls_checks_the_certificate_against_the_host_name_not_the_address(monkeypatch):
    resolving(monkeypatch, {"secure.test": ["127.0.0.1"]})
    seen = {}

    def wrap_socket(self, sock, server_hostname=None, **kwargs):
        seen["peer"] = sock.getpeername()[0]
        seen["server_hostname"] = server_hostname
        raise ssl.SSLError("certificate verify failed (test)")

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)
    with Receiver() as receiver, pytest.raises(RequestFailed, match="TLS failed"):
        post(
            f"https://secure.test:{receiver.port}/",
            body=b"{}",
            headers={},
            allowed_hosts=["127.0.0.1"],
        )

    assert seen == {"peer": "127.0.0.1", "server_hostname": "secure.test"}


def test_a_redirect_is_an_answer_and_is_not_followed():
    with Receiver([302]) as receiver:
        receiver.extra_headers["Location"] = "http://169.254.169.254/latest/meta-data/"
        answer = post(receiver.url(), body=b"{}", headers={}, allowed_hosts=["127.0.0.1"])

    assert answer.status == 302
    assert answer.location == "http://169.254.169.254/latest/meta-data/"
    assert len(receiver.received) == 1


def test_an_oversized_answer_is_cut_at_the_limit():
    with Receiver(answer=b"x" * (1024 * 1024)) as receiver:
        answer = post(
            receiver.url(), body=b"{}", headers={}, allowed_hosts=["127.0.0.1"], max_bytes=1024
        )

    assert answer.status == 200
    assert len(answer.body) == 1024 and answer.truncated


@pytest.fixture
def dripping_server():
    """A server that answers a status line, then one header byte every 0.05 s, forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.is_set():
                try:
                    connection.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_a_server_dripping_its_answer_is_cut_at_the_total_time_limit(dripping_server):
    started = time.monotonic()

    with pytest.raises(RequestFailed, match="No answer within 1 s"):
        post(
            f"http://127.0.0.1:{dripping_server}/",
            body=b"{}",
            headers={},
            allowed_hosts=["127.0.0.1"],
            timeout=1,
        )

    assert time.monotonic() - started < 5  # each byte came well within any per-read timeout


def test_a_closed_port_is_a_failure_not_a_refusal():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    with pytest.raises(RequestFailed, match="refused"):
        post(f"http://127.0.0.1:{port}/", body=b"{}", headers={}, allowed_hosts=["127.0.0.1"])
