"""What the stand-in's handler threads share: the signed image blobs, request stats, and the
runtime config with its dice; plus the error an injected failure answers with."""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import math
import random
import secrets
import threading
import time
import uuid

from .api_types import ApiError
from .config import StandinConfig
from .content_credentials import ContentCredentials
from .model_table import MODELS

RECENT_REQUESTS = 50
BLOB_BYTES_CAP = 512 * 1024 * 1024
CONTENT_TYPES = {"png": "image/png", "webp": "image/webp", "jpeg": "image/jpeg"}


class BlobStore:
    """Images behind signed, expiring URLs. Memory is capped; the oldest go first."""

    def __init__(self, cap: int = BLOB_BYTES_CAP) -> None:
        self._secret = secrets.token_bytes(32)
        self._blobs: collections.OrderedDict[str, tuple[bytes, str, float, int]] = collections.OrderedDict()
        self._bytes = 0
        self._cap = cap
        self._lock = threading.Lock()

    def sign(self, path: str, se: int) -> str:
        mac = hmac.new(self._secret, f"{path}\n{se}\nr".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def put(self, data: bytes, fmt: str, expires_at: float) -> tuple[str, str]:
        """Store and return (path, query) of its signed URL."""
        blob_id = uuid.uuid4().hex
        path = f"/blob/private/images/{blob_id}.{fmt}"
        se = math.ceil(expires_at)
        now = time.time()
        with self._lock:
            for key in [k for k, (_d, _t, _e, s) in self._blobs.items() if s < now]:
                self._bytes -= len(self._blobs.pop(key)[0])
            self._blobs[path] = (data, CONTENT_TYPES[fmt], expires_at, se)
            self._bytes += len(data)
            while self._bytes > self._cap and len(self._blobs) > 1:
                _key, (old, *_rest) = self._blobs.popitem(last=False)
                self._bytes -= len(old)
        return path, f"se={se}&sp=r&sig={self.sign(path, se)}"

    def get(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        """(status, body, content type) for a download."""
        se_text = (query.get("se") or [""])[0]
        sig = (query.get("sig") or [""])[0]
        if not se_text.isdigit() or (query.get("sp") or [""])[0] != "r" or not hmac.compare_digest(
            sig, self.sign(path, int(se_text))
        ):
            return 403, _azure_error("AuthenticationFailed", "Signature did not match."), "application/xml"
        now = time.time()
        if now >= int(se_text):
            return 403, _azure_error("AuthenticationFailed", "Signed expiry time has passed."), "application/xml"
        with self._lock:
            found = self._blobs.get(path)
        if found is None:
            return 404, _azure_error("BlobNotFound", "The specified blob does not exist."), "application/xml"
        data, ctype, expires_at, _se = found
        if now >= expires_at:
            return 403, _azure_error("AuthenticationFailed", "Signed expiry time has passed."), "application/xml"
        return 200, data, ctype


def _azure_error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}\nRequestId:{uuid.uuid4()}\nTime:{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
        f"</Message></Error>"
    ).encode()


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = {"generations": 0, "edits": 0, "variations": 0, "models": 0, "downloads": 0}
            self.failures_injected = 0
            self.downloads_truncated = 0
            self.downloads_corrupted = 0
            self.by_job: dict[str, int] = {}
            self.in_flight = 0
            self.max_in_flight = 0
            self.recent: collections.deque[dict] = collections.deque(maxlen=RECENT_REQUESTS)

    def count(self, endpoint: str, job: str | None = None) -> None:
        with self._lock:
            self.requests[endpoint] = self.requests.get(endpoint, 0) + 1
            if job is not None and endpoint != "downloads":
                self.by_job[job] = self.by_job.get(job, 0) + 1

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record(self, entry: dict) -> None:
        with self._lock:
            self.recent.append(entry)

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "failures_injected": self.failures_injected,
                "downloads_truncated": self.downloads_truncated,
                "downloads_corrupted": self.downloads_corrupted,
                "by_job": dict(self.by_job),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
            }

    def recent_requests(self, endpoint: str | None, last: int | None) -> list[dict]:
        with self._lock:
            items = [r for r in self.recent if endpoint in (None, "", r["endpoint"])]
        return items[-last:] if last else items


class State:
    """What the handler threads share: config (swappable at runtime), dice, blobs, stats."""

    def __init__(self, config: StandinConfig) -> None:
        self.config = config
        self.served = {
            name: spec for name, spec in MODELS.items() if config.models is None or name in config.models
        }
        self.blobs = BlobStore()
        self.stats = Stats()
        self.credentials = ContentCredentials.start(config.c2pa_dir) if config.c2pa else None
        self._lock = threading.Lock()
        self._api_dice = random.Random(config.seed)
        self._download_dice = random.Random(config.seed + 1)
        self._latency_dice = random.Random(config.seed + 2)

    def roll(self, which: str) -> float:
        dice = {"api": self._api_dice, "download": self._download_dice, "latency": self._latency_dice}[which]
        with self._lock:
            return dice.random()

    def configure(self, changes: dict) -> StandinConfig:
        with self._lock:
            self.config = self.config.updated(**changes)
            return self.config


def config_json(config: StandinConfig) -> dict:
    """The config as /_standin/config shows it (tuples as JSON lists)."""
    data = dict(vars(config))
    data["blocked_words"] = list(config.blocked_words)
    data["models"] = list(config.models) if config.models is not None else None
    return data


def injected_failure(config: StandinConfig) -> ApiError:
    """What a --fail-rate hit answers with: the real API's error for --fail-status."""
    status = config.fail_status
    if status == 429:
        retry = config.retry_after
        text = str(int(retry)) if float(retry).is_integer() else str(retry)
        return ApiError(
            "Rate limit reached for images per min (IPM): Limit 5, Used 5, Requested 1. "
            f"Please try again in {text}s.",
            type="requests",
            code="rate_limit_exceeded",
            status=429,
            headers={
                "retry-after": text,
                "retry-after-ms": str(int(retry * 1000)),
                "x-ratelimit-limit-requests": "5",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{text}s",
            },
        )
    if status == 503:
        return ApiError(
            "The engine is currently overloaded, please try again later.", type="server_error", code=None, status=503
        )
    if status == 502:
        return ApiError("Bad gateway.", type="server_error", code=None, status=502)
    return ApiError(
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
        code=None,
        status=500,
    )
