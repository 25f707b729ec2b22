"""A small real HTTP relay in front of a stand-in: it counts every request it forwards upstream (the
calls a provider would charge for) and can behave like the compatible servers of IMAGES_API.md §3.

Quirks:
  ignores_stream   drops `stream`/`partial_images` before forwarding: a streaming request gets plain JSON
  fails_streaming  answers a streaming request 500 without forwarding it (plain requests pass)
  no_variations    has no /v1/images/variations route: 404 {"detail": "Not Found"}
  moderation_400   relays a moderation refusal with code "400", keeping its type and message (as LiteLLM)

With no quirk it is a plain pass-through, e.g. between LiteLLM and the stand-in. The Host header is
rewritten to the upstream's, so image links point at the upstream's host, as a real one's would.
"""
from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

QUIRKS = ("ignores_stream", "fails_streaming", "no_variations", "moderation_400")


class Relay:
    def __init__(self, upstream_root: str, *quirks: str, host: str = "127.0.0.1"):
        unknown = set(quirks) - set(QUIRKS)
        assert not unknown, f"unknown quirks {unknown}"
        self.quirks = set(quirks)
        target = urlsplit(upstream_root)
        self.upstream = (target.hostname, target.port)
        self.forwarded: Counter = Counter()  # endpoint path -> requests sent upstream
        self.bodies: list[dict] = []  # the JSON bodies of forwarded generations, newest last
        self._lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                relay._handle(self, b"")

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                relay._handle(self, body)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.root_url = f"http://{host}:{self.httpd.server_address[1]}"
        self.base_url = self.root_url + "/v1"

    @property
    def upstream_calls(self) -> int:
        """Image requests that reached the upstream (listings and downloads are not calls)."""
        with self._lock:
            return sum(n for path, n in self.forwarded.items() if path.startswith("/v1/images/"))

    def reset(self) -> None:
        with self._lock:
            self.forwarded.clear()
            self.bodies.clear()

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        path = urlsplit(handler.path).path
        is_json = "json" in handler.headers.get("Content-Type", "")
        fields = json.loads(body or b"{}") if is_json and body else {}
        streaming = str(fields.get("stream", "")).lower() == "true" or b'name="stream"\r\n\r\ntrue' in body
        if "no_variations" in self.quirks and path == "/v1/images/variations":
            return _answer(handler, 404, {"detail": "Not Found"})
        if "fails_streaming" in self.quirks and streaming:
            return _answer(handler, 500, {"error": {"message": "streaming is not supported for images",
                                                    "type": "internal_server_error", "param": None, "code": "500"}})
        if "ignores_stream" in self.quirks and is_json and "stream" in fields:
            fields.pop("stream", None)
            fields.pop("partial_images", None)
            body = json.dumps(fields).encode()
        with self._lock:
            self.forwarded[path] += 1
            if is_json and path.startswith("/v1/images/"):
                self.bodies.append(json.loads(body or b"{}"))
        status, headers, payload = self._forward(handler, body)
        if "moderation_400" in self.quirks and status == 400:
            error = json.loads(payload).get("error", {})
            if error.get("code") in ("moderation_blocked", "content_policy_violation"):
                error["code"] = "400"
                payload = json.dumps({"error": error}).encode()
        _answer_raw(handler, status, headers, payload)

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes):
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length",
                                                                                 "connection", "accept-encoding")}
        headers["Host"] = f"{self.upstream[0]}:{self.upstream[1]}"
        headers["Content-Length"] = str(len(body))
        try:
            conn.request(handler.command, handler.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()  # whole, even an event stream: the stand-in ends it by closing
            kept = [(k, v) for k, v in resp.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")]
            return resp.status, kept, payload
        finally:
            conn.close()


def _answer(handler, status: int, payload: dict) -> None:
    _answer_raw(handler, status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def _answer_raw(handler, status: int, headers, payload: bytes) -> None:
    try:
        handler.send_response(status)
        for key, value in headers:
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass


@contextmanager
def relay(upstream_root: str, *quirks: str, host: str = "127.0.0.1"):
    r = Relay(upstream_root, *quirks, host=host)
    thread = threading.Thread(target=r.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield r
    finally:
        r.httpd.shutdown()
        r.httpd.server_close()
