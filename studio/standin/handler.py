"""The stand-in's request handler: one instance per connection, answering every route.

Routes:
  GET  /v1/models, /v1/models/<id>
  POST /v1/images/generations (JSON), /v1/images/edits, /v1/images/variations (multipart)
  GET  /blob/private/images/<id>.<ext>?se=<unix expiry>&sp=r&sig=<hmac>   (the signed image URLs)
  GET  /_standin/stats, /_standin/requests, /_standin/config; POST /_standin/reset, /_standin/config
  GET  /_standin/c2pa/root.pem   (with --c2pa: the root certificate its content credentials chain to)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from . import image_responses, multipart
from .api_types import ApiError, Request
from .config import StandinConfig
from .edits_and_variations import validate_edit, validate_variation
from .generations import validate_generation
from .model_table import ModelSpec
from .moderation import blocked_word, moderation_error
from .state import State, config_json, injected_failure

MAX_BODY = 256 * 1024 * 1024
CONTROL_MAX_BODY = 64 * 1024  # a fault switch is a few bytes of JSON
RECENT_FILE_MAX = 8 * 1024 * 1024  # uploads bigger than this are recorded without their bytes


class HandlerServer(Protocol):
    """What Handler uses of the server it runs under (server.StandinServer). Spelled out here
    instead of imported because server.py imports this module."""

    state: State
    verbose: bool
    server_address: tuple[Any, ...]
    control_token: str
    on_loopback: bool


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "studio-standin/1.0"
    server: HandlerServer  # type: ignore[assignment]  # narrower than the BaseServer it is typed as upstream

    # --- plumbing --------------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        if self.server.verbose:
            super().log_message(format, *args)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without this, Nagle plus delayed ACKs add ~40 ms per call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, socket.timeout, TimeoutError):
            self.close_connection = True

    @property
    def state(self) -> State:
        return self.server.state

    def _read_body(self, limit: int = MAX_BODY) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > limit:
                    self.close_connection = True
                    raise ApiError("Request body too large.", code="request_too_large", status=413)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.close_connection = True
            raise ApiError("Request body too large.", code="request_too_large", status=413)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", "req_" + uuid.uuid4().hex)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        base = {"openai-version": "2020-10-01", "openai-processing-ms": str(int((time.time() - self._t0) * 1000))}
        base.update(headers or {})
        self._send(status, json.dumps(payload).encode(), "application/json", base)

    def _error(self, err: ApiError) -> None:
        self._json(err.status, err.body(), err.headers)

    # --- routing ---------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        self._t0 = time.time()
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query)
        control = path.startswith("/_standin/")
        if control and not self._control_allowed(path):
            self.close_connection = True  # the body, if any, is never read
            self._error(ApiError("The stand-in's control endpoints need its token (STANDIN_CONTROL_TOKEN, sent as "
                                 "'Authorization: Bearer <token>') when it listens beyond loopback.",
                                 code="control_token_required", status=403))
            return
        try:
            body = self._read_body(CONTROL_MAX_BODY if control else MAX_BODY) if method in ("POST", "DELETE") else b""
        except ApiError as err:
            self._error(err)
            return
        if path.startswith("/blob/") and method == "GET":
            self._download(url.path, query)
        elif path.startswith("/_standin/"):
            self._control(method, path, query, body)
        elif path.startswith("/v1/"):
            self._api(method, path, body)
        else:
            self._error(ApiError(f"Invalid URL ({method} {path})", code=None, status=404))

    def _control_allowed(self, path: str) -> bool:
        """Loopback: anyone on this machine. Elsewhere: the token, and with no token set, nobody. The C2PA
        root certificate is public (readers are meant to trust it), so it is always served."""
        if self.server.on_loopback or path == "/_standin/c2pa/root.pem":
            return True
        token = getattr(self.server, "control_token", "")
        sent = self.headers.get("Authorization", "")
        return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())

    def _control(self, method: str, path: str, query: dict, body: bytes) -> None:
        state = self.state
        if path == "/_standin/stats" and method == "GET":
            self._json(200, state.stats.snapshot())
        elif path == "/_standin/reset" and method == "POST":
            state.stats.reset()
            self._json(200, {"ok": True})
        elif path == "/_standin/requests" and method == "GET":
            endpoint = (query.get("endpoint") or [None])[0]
            last = (query.get("last") or [None])[0]
            self._json(200, state.stats.recent_requests(endpoint, int(last) if last else None))
        elif path == "/_standin/config" and method == "GET":
            self._json(200, config_json(state.config))
        elif path == "/_standin/c2pa/root.pem" and method == "GET" and state.credentials is not None:
            self._send(200, state.credentials.root_pem, "application/x-pem-file")
        elif path == "/_standin/config" and method == "POST":
            try:
                changes = json.loads(body or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("expected a JSON object")
                config = state.configure(changes)
            except (ValueError, TypeError) as exc:
                self._error(ApiError(str(exc), code="invalid_config"))
                return
            self._json(200, config_json(config))
        else:
            self._error(ApiError(f"Invalid URL ({method} {path})", code=None, status=404))

    # --- the API ---------------------------------------------------------------------------------

    def _api(self, method: str, path: str, body: bytes) -> None:
        endpoints = {
            "/v1/images/generations": "generations",
            "/v1/images/edits": "edits",
            "/v1/images/variations": "variations",
        }
        if path == "/v1/models" or path.startswith("/v1/models/"):
            endpoint = "models"
            if method != "GET":
                self._error(ApiError(f"Invalid URL ({method} {path})", code=None, status=404))
                return
        elif path in endpoints and method == "POST":
            endpoint = endpoints[path]
        else:
            self._error(ApiError(f"Invalid URL ({method} {path})", code=None, status=404))
            return
        stats = self.state.stats
        job = self.headers.get("X-Studio-Job")
        stats.count(endpoint, job)
        stats.enter()
        entry: dict[str, Any] = {"endpoint": endpoint, "time": time.time(), "job": job}
        try:
            self._api_call(endpoint, path, body, entry)
        except ApiError as err:
            entry["status"] = err.status
            self._error(err)
        finally:
            stats.leave()
            if endpoint != "models":
                stats.record(entry)

    def _api_call(self, endpoint: str, path: str, body: bytes, entry: dict) -> None:
        config = self.state.config
        auth = self.headers.get("Authorization", "")
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code="missing_api_key",
                status=401,
            )
        if endpoint == "models":
            self._models(path)
            entry["status"] = 200
            return

        fields, files = self._parse_body(endpoint, body, entry)
        delay = config.latency_ms
        if config.latency_jitter_ms:
            delay += (self.state.roll("latency") * 2 - 1) * config.latency_jitter_ms
        if delay > 0:
            time.sleep(delay / 1000)
        if config.fail_rate and self.state.roll("api") < config.fail_rate:
            self.state.stats.add("failures_injected")
            raise injected_failure(config)

        served = self.state.served
        if endpoint == "generations":
            req = validate_generation(fields, served)
        elif endpoint == "edits":
            req = validate_edit(fields, files, served)
        else:
            req = validate_variation(fields, files, served)
        if req.prompt and blocked_word(req.prompt, config.blocked_words):
            raise moderation_error(req.model)
        entry["status"] = 200
        produced = entry.setdefault("outputs", [])  # sha256 and size of each final picture sent
        if req.stream:
            self._stream(req, config, produced)
        else:
            self._json(200, image_responses.json_payload(req, config, self.state.blobs, self._host(),
                                                         self.state.credentials, produced))

    def _parse_body(self, endpoint: str, body: bytes, entry: dict) -> tuple[dict, dict]:
        ctype = self.headers.get("Content-Type", "")
        if endpoint == "generations":
            try:
                fields = json.loads(body or b"null")
            except ValueError:
                raise ApiError(
                    "We could not parse the JSON body of your request. The request body must be valid JSON.",
                    code="invalid_json",
                ) from None
            if not isinstance(fields, dict):
                raise ApiError("The request body must be a JSON object.", code="invalid_json")
            entry["fields"] = fields
            entry["files"] = {}
            return fields, {}
        try:
            fields, files, _ordered = multipart.parse(ctype, body)
        except multipart.MultipartError as exc:
            raise ApiError(
                f"Invalid multipart/form-data body: {exc}. Images must be uploaded as multipart form data.",
                code="invalid_multipart",
            ) from None
        entry["fields"] = fields
        entry["files"] = {
            name: [
                {
                    "filename": u.filename,
                    "content_type": u.content_type,
                    "size": len(u.data),
                    "sha256": hashlib.sha256(u.data).hexdigest(),
                    "b64": base64.b64encode(u.data).decode() if len(u.data) <= RECENT_FILE_MAX else None,
                }
                for u in uploads
            ]
            for name, uploads in files.items()
        }
        return fields, files

    def _models(self, path: str) -> None:
        def card(spec: ModelSpec) -> dict:
            out = {"id": spec.id, "object": "model", "created": spec.created, "owned_by": "system"}
            if spec.shutdown_date:
                out["shutdown_date"] = spec.shutdown_date
            return out

        served = self.state.served
        if path == "/v1/models":
            self._json(200, {"object": "list", "data": [card(s) for s in served.values()]})
            return
        name = path[len("/v1/models/") :]
        if name not in served:
            raise ApiError(
                f"The model '{name}' does not exist or you do not have access to it.",
                param="model",
                code="model_not_found",
                status=404,
            )
        self._json(200, card(served[name]))

    # --- answers ---------------------------------------------------------------------------------

    def _stream(self, req: Request, config: StandinConfig, produced: list) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.send_header("x-request-id", "req_" + uuid.uuid4().hex)
        self.end_headers()
        self.close_connection = True
        for event in image_responses.stream_events(req, config, self.state.credentials, produced):
            self.wfile.write(event)
            self.wfile.flush()

    def _host(self) -> str:
        host = self.headers.get("Host")
        if host:
            return host
        addr, port = self.server.server_address[:2]
        return f"{addr}:{port}"

    # --- downloads -------------------------------------------------------------------------------

    def _download(self, path: str, query: dict) -> None:
        state = self.state
        state.stats.count("downloads")
        status, body, ctype = state.blobs.get(path, query)
        if status != 200:
            self._send(status, body, ctype, {"x-ms-error-code": "AuthenticationFailed" if status == 403 else "BlobNotFound"})
            return
        config = state.config
        roll = state.roll("download")
        if roll < config.truncate_rate:
            state.stats.add("downloads_truncated")
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if roll < config.truncate_rate + config.corrupt_rate:
            state.stats.add("downloads_corrupted")
            body = random.Random(roll).randbytes(len(body))
        self._send(200, body, ctype, {"x-ms-blob-type": "BlockBlob", "Cache-Control": "private"})
