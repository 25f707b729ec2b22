"""The one door for every request Studio sends to an address someone else chose (SSRF guard).

A provider's image links, and later webhooks, name URLs Studio did not write. A hostile provider (or a
person who can edit one) could aim them at the metadata service, Redis, or an admin port on the
network. So every such request goes through `open_url`:

- the URL is parsed the way the HTTP client will connect (urllib3's parser: what it calls the host is
  where the socket goes); user info, backslashes, control characters, schemes other than http(s),
  numbers spelled oddly (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``) and IPv6 zone ids are refused;
- the host must be on the caller's list (``Policy.hosts``; None lets any public host through);
- the name is resolved once and every address it gives is checked: private, loopback, link-local,
  shared, reserved, multicast and cloud-metadata addresses are refused unless that exact ``host:port`` is
  one the operator allowed (``Policy.internal``);
- the socket connects to the address that was checked (no second lookup to rebind), with the original
  name in the Host header and in TLS (SNI and certificate check);
- one deadline covers the whole exchange (a watchdog cuts the socket, so a server dripping a byte a
  second cannot hold a worker), redirects are never followed, and the body is capped.

Refusals happen before any connection is made, so their words are the same whether the internal port
is open, closed or filtered: the guard cannot be used as a port scanner.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, LocationParseError
from urllib3.util import parse_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
log = logging.getLogger(__name__)

# Cloud metadata services; most are link-local already, named here so no policy can let them through.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CHUNK = 64 * 1024


class OutboundError(Exception):
    """The request did not happen or did not finish; the message is a sentence for people."""

    retryable = False


class Refused(OutboundError):
    """The guard would not send it: the URL or its address is not one Studio talks to."""


class Unreachable(OutboundError):
    """Allowed, but the network did not carry it (no answer, connection refused, name not found)."""

    retryable = True


class DeadlinePassed(OutboundError):
    retryable = True


class TooLarge(OutboundError):
    pass


class CutShort(OutboundError):
    retryable = True


@dataclass(frozen=True)
class Policy:
    """Where a kind of request may go.

    hosts: names, ``*.wildcards`` or exact ``host:port`` a URL may name; None lets any public host through.
    internal: exact ``host:port`` pairs that may resolve to internal addresses (the operator's own).
    advice: how a person allows a refused host, with ``{host}`` for the ``host:port`` refused.
    """

    hosts: tuple[str, ...] | None
    internal: frozenset[str] = field(default_factory=frozenset)
    advice: str = ""

    def explain(self, host_port: str) -> str:
        return (" " + self.advice.format(host=host_port)) if self.advice else ""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as urllib3 normalised it (lower case, IDNA, IPv6 in brackets)
    port: int
    request_uri: str
    address: IPAddress  # the checked address the socket connects to

    @property
    def host_port(self) -> str:
        return f"{self.host}:{self.port}"


# --- checking -------------------------------------------------------------------------------------


def normalise_host_port(value: str) -> str:
    """``Host:Port`` as the guard compares them: lower case, IPv6 in brackets."""
    host, _, port = value.strip().lower().rpartition(":")
    if not host.startswith("[") and ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}"


def url_host_port(url: str) -> str:
    """The ``host:port`` a URL connects to ("" when it has none), e.g. a provider's base URL."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        return ""
    if not parsed.host or parsed.scheme not in ("http", "https"):
        return ""
    return f"{parsed.host}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"


def check_url(url: str, policy: Policy) -> Target:
    """The target `url` names, after every rule above; raises Refused or Unreachable."""
    if any(ch == "\\" or ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        raise Refused("Studio does not connect to this URL: it contains a backslash, a space or a control character.")
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise Refused("Studio does not connect to this URL: it cannot be read as a web address.") from None
    if parsed.scheme not in ("http", "https"):
        raise Refused("Studio does not connect to this URL: only http and https addresses are allowed.")
    if parsed.auth is not None or "@" in (parsed.netloc or ""):
        raise Refused("Studio does not connect to this URL: it has a user name or password before the host.")
    if not parsed.host:
        raise Refused("Studio does not connect to this URL: it names no host.")
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    literal = _literal_address(host)
    host_port = f"{host}:{port}"
    if policy.hosts is not None and not _on_list(host, host_port, policy.hosts):
        raise Refused(f"Studio does not connect to {host}: it is not on the list of allowed hosts."
                      + policy.explain(host_port))
    if literal is not None:
        addresses = [literal]
    elif host == "localhost" or host.endswith(".localhost"):  # loopback by definition (RFC 6761)
        addresses = [ipaddress.IPv4Address("127.0.0.1")]
    else:
        addresses = _resolve(host, port)
    if any(_is_internal(a) for a in addresses):
        if host_port not in policy.internal or any(a in METADATA_ADDRESSES for a in addresses):
            raise Refused(f"Studio does not connect to {host_port}: it is an internal address."
                          + policy.explain(host_port))
    return Target(scheme=parsed.scheme, host=host, port=port, request_uri=parsed.request_uri,
                  address=addresses[0])


def _literal_address(host: str) -> IPAddress | None:
    """The address a numeric host spells, None for a name; odd spellings are refused."""
    if host.startswith("["):
        inner = host[1:-1]
        if "%" in inner:
            raise Refused("Studio does not connect to this URL: IPv6 zone ids are not allowed.")
        try:
            return ipaddress.IPv6Address(inner)
        except ValueError:
            raise Refused("Studio does not connect to this URL: its IPv6 address is not valid.") from None
    try:
        return ipaddress.IPv4Address(host)  # strict: four decimal parts, no leading zeros
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        pass
    else:  # the C library would read it as an address: decimal, octal, hex or short forms
        raise Refused("Studio does not connect to this URL: its host is a number spelled oddly "
                      "(write addresses as four decimal parts, e.g. 192.0.2.10).")
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise Refused("Studio does not connect to this URL: its host is not a valid name.")
    return None


def _on_list(host: str, host_port: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern.startswith("*.") and (host.endswith(pattern[1:]) or host == pattern[2:]):
            return True
        if pattern == host or (":" in pattern and normalise_host_port(pattern) == host_port):
            return True
    return False


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unreachable(f"Studio could not find the host {host}.") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unreachable(f"Studio could not find the host {host}.")
    return addresses


def _is_internal(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        if embedded is not None:
            return _is_internal(embedded)
    return address in METADATA_ADDRESSES or not address.is_global or address.is_multicast


# --- sending --------------------------------------------------------------------------------------


class Response:
    """The answer's status and headers; `iter_bytes` streams the body within the deadline and the cap."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, target: Target, ends_at: float):
        self._raw, self.target, self._ends_at = raw, target, ends_at
        self.status = raw.status
        self.headers = raw.headers

    def iter_bytes(self, max_bytes: int) -> Iterator[bytes]:
        received = 0
        try:
            while chunk := self._raw.read1(_CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise TooLarge(f"The answer from {self.target.host} is larger than Studio accepts.")
                _check_deadline(self._ends_at, self.target)
                yield chunk
        except (OSError, HTTPError) as exc:
            _check_deadline(self._ends_at, self.target)
            raise CutShort(f"The answer from {self.target.host} was cut short.") from exc


@contextmanager
def open_url(url: str, policy: Policy, *, timeout: float, method: str = "GET", body: bytes | None = None,
             headers: dict[str, str] | None = None) -> Iterator[Response]:
    """Send one request under `policy`, all of it (connect, send, every read) within `timeout` seconds."""
    target = check_url(url, policy)
    ends_at = time.monotonic() + timeout
    conn = _connection(target, timeout)
    watchdog = threading.Timer(timeout, _cut, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        sent = {"Host": _host_header(target), "Accept-Encoding": "identity", "User-Agent": "Studio",
                **(headers or {})}
        try:
            conn.request(method, target.request_uri, body=body, headers=sent, preload_content=False,
                         decode_content=False)
            raw = conn.getresponse()
        except (OSError, HTTPError) as exc:
            _check_deadline(ends_at, target)
            raise Unreachable(f"Studio could not reach {target.host}.") from exc
        # One line per request, without the query: signed links carry their signature there.
        log.info("outbound %s %s://%s%s -> %s (via %s)", method, target.scheme, target.host_port,
                 target.request_uri.split("?", 1)[0], raw.status, target.address)
        yield Response(raw, target, ends_at)
    finally:
        watchdog.cancel()
        conn.close()


def _connection(target: Target, timeout: float) -> HTTPConnection:
    address = str(target.address)
    per_step = timeout  # each socket step; the watchdog bounds their sum
    if target.scheme == "https":
        name = target.host.strip("[]")
        return HTTPSConnection(address, target.port, timeout=per_step, server_hostname=name,
                               assert_hostname=name, cert_reqs="CERT_REQUIRED", ca_certs=_ca_bundle())
    return HTTPConnection(address, target.port, timeout=per_step)


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    return target.host if target.port == default else target.host_port


def _ca_bundle() -> str | None:
    try:
        import certifi
    except ImportError:  # the system's store, then
        return None
    return certifi.where()


def _cut(conn: HTTPConnection) -> None:
    """The deadline passed: wake whatever read or write is blocked on the socket."""
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _check_deadline(ends_at: float, target: Target) -> None:
    if time.monotonic() >= ends_at:
        raise DeadlinePassed(f"{target.host} did not finish answering in time.")
