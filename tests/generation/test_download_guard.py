"""Issue 12, item 6: the downloader cannot be steered (SSRF), against real servers on loopback.

A hostile provider answers with image links of its choosing; every probe here is one it could send.
"""
from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from studio.generation import services
from studio.models_registry import outbound
from tests.generation.test_pipeline_rules import _Host

PNG = None


def _png() -> bytes:
    global PNG
    if PNG is None:
        import io

        from PIL import Image as PILImage

        buf = io.BytesIO()
        PILImage.new("RGB", (4, 4), "red").save(buf, "PNG")
        PNG = buf.getvalue()
    return PNG


class _Recorder(_Host):
    """Serves routes and remembers every request line that reached it."""

    seen: list = []

    def do_GET(self):  # noqa: N802
        self.seen.append((self.path, self.headers.get("Host")))
        super().do_GET()


@pytest.fixture
def internal_server():
    """An 'internal' service on loopback that must never be reached unless its host:port is allowed."""
    _Recorder.routes = {"/a.png": (200, {"Content-Type": "image/png"}, _png())}
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], _Recorder
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_extra_hosts(settings):
    settings.STUDIO_FETCH_ALLOWED_HOSTS = ["*.blob.core.windows.net", "*.openai.com"]
    settings.STANDIN_URL = "http://127.0.0.1:1/v1"  # a stand-in elsewhere: its port is not the server's


def _refused(url: str, **kwargs) -> str:
    with pytest.raises(services.FetchError) as err:
        services.download_to_spool(url, **kwargs)
    assert not err.value.retryable
    return str(err.value)


def test_the_backslash_probe_never_reaches_loopback(internal_server, no_extra_hosts):
    port, recorder = internal_server
    reason = _refused(f"http://127.0.0.1:{port}\\@x.blob.core.windows.net/a.png")
    assert "backslash" in reason and recorder.seen == []


@pytest.mark.parametrize("spelling, why", [
    ("http://user:pw@x.blob.core.windows.net/a.png", "user name or password"),
    ("ftp://x.blob.core.windows.net/a.png", "only http and https"),
    ("http://2130706433:{port}/a.png", "spelled oddly"),
    ("http://0x7f.1:{port}/a.png", "spelled oddly"),
    ("http://0177.0.0.1:{port}/a.png", "spelled oddly"),
    ("http://127.1:{port}/a.png", "spelled oddly"),
    ("http://[fe80::1%25lo]:{port}/a.png", "zone ids"),
    ("http://x.blob.core.windows.net./a.png", "not a valid name"),
])
def test_odd_urls_are_refused_before_any_connection(internal_server, no_extra_hosts, spelling, why):
    port, recorder = internal_server
    assert why in _refused(spelling.format(port=port))
    assert recorder.seen == []


def test_loopback_is_refused_on_any_port_by_default(internal_server, no_extra_hosts, settings):
    port, recorder = internal_server
    settings.STUDIO_FETCH_ALLOWED_HOSTS = ["*.blob.core.windows.net", "127.0.0.1", "localhost", "*.localhost"]
    for host in ("127.0.0.1", "localhost", "studio.localhost", "[::1]"):
        reason = _refused(f"http://{host}:{port}/a.png")
        assert "Studio does not connect to" in reason
    # Names on the list still must resolve to public addresses; the sentence names host and setting.
    reason = _refused(f"http://localhost:{port}/a.png")
    assert f"localhost:{port}: it is an internal address" in reason and "STUDIO_FETCH_ALLOWED_HOSTS" in reason
    assert recorder.seen == []


def test_the_exact_allowed_host_port_downloads_and_connects_to_the_checked_address(internal_server, no_extra_hosts):
    port, recorder = internal_server
    path = services.download_to_spool(f"http://localhost:{port}/a.png", extra_hosts=(f"localhost:{port}",))
    with open(path, "rb") as fh:
        assert fh.read() == _png()
    assert recorder.seen == [("/a.png", f"localhost:{port}")]  # the original name in the Host header
    # The same host on another port is still internal and still refused.
    assert "Studio does not connect to localhost" in _refused(f"http://localhost:{port + 1}/a.png",
                                                                extra_hosts=(f"localhost:{port}",))


def test_refused_closed_and_silent_internal_ports_read_the_same(internal_server, no_extra_hosts):
    port, _ = internal_server
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)  # accepts nothing: a filtered port
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        reasons = {p: _refused(f"http://127.0.0.1:{p}/a.png").replace(str(p), "PORT")
                   for p in (port, closed_port, silent.getsockname()[1])}
    finally:
        silent.close()
    assert len(set(reasons.values())) == 1, reasons


def test_metadata_addresses_are_refused_even_when_listed(no_extra_hosts, settings):
    settings.STUDIO_FETCH_ALLOWED_HOSTS = ["169.254.169.254:80", "[fd00:ec2::254]:80"]
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/",
                "http://[::ffff:169.254.169.254]/", "http://10.1.2.3/a.png", "http://224.0.0.1/a.png"):
        assert "internal address" in _refused(url) or "not on the list" in _refused(url)


def test_redirects_to_internal_addresses_are_not_followed(internal_server, no_extra_hosts):
    port, recorder = internal_server
    recorder.routes["/hop.png"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    reason = _refused(f"http://127.0.0.1:{port}/hop.png", extra_hosts=(f"127.0.0.1:{port}",))
    assert "does not follow redirects" in reason
    assert [p for p, _ in recorder.seen] == ["/hop.png"]


class _Drip(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):  # a byte every 50 ms: each read is quick, the whole would take ~80 min
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_one_deadline_covers_the_whole_download(no_extra_hosts, settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    settings.STUDIO_FETCH_TIMEOUT = 0.5
    try:
        with pytest.raises(services.FetchError) as err:
            services.download_to_spool(f"http://127.0.0.1:{port}/a.png", extra_hosts=(f"127.0.0.1:{port}",))
    finally:
        server.shutdown()
        server.server_close()
    assert "did not finish sending the image in time" in str(err.value) and err.value.retryable


def test_the_guard_is_general_for_later_outbound_requests():
    """Webhooks will use it with no host list: any public host, never an internal one."""
    anywhere = outbound.Policy(hosts=None)
    for url in ("http://127.0.0.1:6379/", "http://localhost/", "http://[::1]/", "http://192.168.0.1/",
                "http://100.64.0.1/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/"):
        with pytest.raises(outbound.Refused, match="internal address"):
            outbound.check_url(url, anywhere)
    target = outbound.check_url("https://93.184.215.14/hook?x=1", anywhere)
    assert (target.host_port, target.request_uri) == ("93.184.215.14:443", "/hook?x=1")
