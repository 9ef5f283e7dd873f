"""One outgoing POST to a URL someone typed in, safe against server-side request forgery.

A webhook URL is chosen by a project's quality manager, not by the operator, so it must not
become a way into the server's own network. Every request here:

- goes to http or https only, to a host, with no credentials in the URL;
- resolves the host at each call (never cached) and refuses it when ANY address it resolves
  to is loopback, private, link-local (169.254/16, fe80::/10), unspecified, multicast,
  reserved, not globally routable (100.64/10…), IPv6 unique-local (fc00::/7), IPv4-mapped
  (::ffff:a.b.c.d) or a 6to4 / NAT64 wrapping of such an IPv4 address, unless the
  administrator allowed that host or network (`QUALITI_WEBHOOK_ALLOWED_HOSTS`);
- connects to exactly the address that was checked (DNS rebinding cannot swap it between the
  check and the connection), while the Host header, TLS SNI and certificate check keep the
  host name;
- never follows a redirect (http.client has no redirect handling: a 3xx is an answer);
- reads at most `max_bytes` of the answer, and all of it (connect, TLS, request, answer)
  within `timeout` seconds in total: a watchdog shuts the socket at the deadline, so a
  server dripping one byte at a time cannot hold a worker.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class RequestRefused(Exception):
    """The URL, or an address its host resolves to, may not be reached."""


class RequestFailed(Exception):
    """The request was allowed but did not get an answer: DNS, connection, TLS, time."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most max_bytes
    truncated: bool  # the answer was longer (or slower) than the limits, and was cut
    location: str = ""  # a redirect's target, reported, never followed


@dataclass(frozen=True)
class AllowedHosts:
    """What the administrator lets through: host names (exact) and networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "AllowedHosts":
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (entry.strip() for entry in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_address(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            candidates.append(address.ipv4_mapped)
        return any(
            candidate in network
            for candidate in candidates
            for network in self.networks
            if candidate.version == network.version
        )


def url_problem(url: str) -> str | None:
    """Why this URL can never be a webhook's, in words, or None. (Its addresses are
    checked at each delivery, since what a name resolves to changes.)"""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"The URL is not valid ({error})."
    if parts.scheme not in ("http", "https"):
        return "Only http:// and https:// URLs can receive webhooks."
    if not parts.hostname:
        return "The URL has no host."
    if parts.username is not None or parts.password is not None:
        return "Put no user name or password in the URL; check the signature instead."
    if port == 0:
        return "The URL's port is not valid."
    return None


def address_refusal(address: IPAddress) -> str | None:
    """What kind of address this is when a webhook may not reach it, or None."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind = address_refusal(embedded)
            if kind:
                return f"an IPv6 wrapping of {embedded}, {kind}"
            if address in _NAT64:
                return None  # DNS64 on an IPv6-only network: a public IPv4 host
        if address in _UNIQUE_LOCAL:
            return "an IPv6 unique-local address"
        if address.is_site_local:
            return "an IPv6 site-local address"
    for kind, test in (
        ("an unspecified", address.is_unspecified),
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a not publicly routable", not address.is_global),
    ):
        if test:
            return f"{kind} address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve(host: str, port: int, allowed: AllowedHosts) -> list[str]:
    """Every address of `host` (resolved now), refused as a whole if any is refused: one
    private record among public ones is a sign of an attack, never of a real receiver."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RequestFailed(f"{host} could not be resolved ({error}).") from error
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope id is not part of it
        if text not in addresses:
            addresses.append(text)
    if host.lower().rstrip(".") in allowed.names:
        return addresses
    for text in addresses:
        address = ipaddress.ip_address(text)
        kind = address_refusal(address)
        if kind and not allowed.allows_address(address):
            raise RequestRefused(
                f"{host} resolves to {address}, {kind}; webhooks may not reach it "
                "(an administrator can allow it with QUALITI_WEBHOOK_ALLOWED_HOSTS)."
            )
    if not addresses:
        raise RequestFailed(f"{host} has no address.")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to one checked address; the Host header keeps the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.raw_socket: socket.socket | None = None

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.raw_socket = sock
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS: SNI and the certificate check are for the host name."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, address=address, timeout=timeout)
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(self._open_socket(), server_hostname=self.host)


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    allowed_hosts: Iterable[str] = (),
    timeout: float = 10.0,
    max_bytes: int = 64 * 1024,
) -> Answer:
    """POST `body` to `url` under the rules above. Raises RequestRefused for a URL or an
    address that may not be reached, RequestFailed when no answer came in time."""
    problem = url_problem(url)
    if problem:
        raise RequestRefused(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + timeout

    addresses = resolve(host, port, AllowedHosts.parse(allowed_hosts))
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    last_error: Exception | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = connection_class(host, port, address=address, timeout=remaining)
        try:
            return _exchange(connection, target, body, headers, deadline, max_bytes)
        except (OSError, http.client.HTTPException) as error:
            last_error = error
            if connection.sock is not None:  # connected: the server itself failed us
                break
        finally:
            connection.close()
    if last_error is None:
        raise RequestFailed(f"No answer within {timeout:g} s.")
    raise RequestFailed(_error_words(last_error, timeout)) from last_error


def _exchange(
    connection: _PinnedHTTPConnection,
    target: str,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int,
) -> Answer:
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        if connection.raw_socket is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                connection.raw_socket.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            if expired.is_set():
                raise TimeoutError("the time limit passed") from error
            raise
        if expired.is_set():  # cut in the headers: their end was the watchdog's, not theirs
            raise TimeoutError("the time limit passed")
        try:
            content = response.read(max_bytes + 1)
        except (OSError, http.client.HTTPException) as error:
            if not expired.is_set():
                raise
            content = getattr(error, "partial", b"") or b""
        truncated = len(content) > max_bytes or expired.is_set()
        return Answer(
            status=response.status,
            body=content[:max_bytes],
            truncated=truncated,
            location=response.getheader("Location", "") or "",
        )
    finally:
        watchdog.cancel()


def _error_words(error: Exception, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return f"No answer within {timeout:g} s."
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error}."
    if isinstance(error, ConnectionRefusedError):
        return "The connection was refused."
    return f"The request failed: {error.__class__.__name__}: {error}."
