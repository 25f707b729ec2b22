"""Log lines that say who and what: `LOG_FORMAT=text` for people, `json` for a log pipeline.

Every record that reaches the console handler passes `RequestContextFilter`, which copies the current
request context (studio.audit.context: request id, person, job, image, task) onto it, so a line
written deep inside a worker still names the web request that caused it. Both formatters then redact
what must never reach a log: the query string of any URL (signed download URLs carry their signature
there, gateways sometimes a key), passwords inside URLs, bearer tokens and key-shaped strings.

Imported by Django's logging set-up (settings.LOGGING) before the apps are ready: no models here.
"""
from __future__ import annotations

import logging
import re

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from studio.audit.context import current
from studio.models_registry.redaction import hide_url_passwords

CONTEXT_FIELDS = ("request_id", "user_id", "username", "job_id", "image_id", "task")

# `https://host/path?query` and a request line's `/path?query`: the query goes, the path stays.
_QUERY = re.compile(r"(?P<base>(?:\b[a-z][a-z0-9+.\-]*://|(?<![\w.])/)[^\s\"'?#]*)\?[^\s\"'#]+", re.I)
_SECRETS = re.compile(r"(?i)(bearer\s+)[\w\-.~+/=]+|\bsk-[\w\-*]{8,}|\bstu_\w{6,}|(api[-_]?key[\"']?\s*[=:]\s*[\"']?)[^\s\"',]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    text = _QUERY.sub(lambda m: m["base"] + "?" + REDACTED, text)
    text = hide_url_passwords(text, REDACTED)
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2) or "") + REDACTED, text)


class RequestContextFilter(logging.Filter):
    """Puts the request context's fields on every record (None where they are unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx response once the middleware has left, with the request attached.
        context = getattr(getattr(record, "request", None), "studio_context", None) or current()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, getattr(context, name) or None)
        return True


class TextFormatter(logging.Formatter):
    """`2026-01-02 10:00:00,123 INFO studio.x [req=ab12 user=alice job=7 image=9]: message`."""

    def __init__(self, *args, **kwargs):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [f"{label}={value}" for label, value in (
            ("req", getattr(record, "request_id", None)), ("user", getattr(record, "username", None)),
            ("job", getattr(record, "job_id", None)), ("image", getattr(record, "image_id", None)),
        ) if value]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return redact(super().format(record))


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time, level, logger, message, the context's fields, and any traceback."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s " + " ".join(f"%({name})s" for name in CONTEXT_FIELDS),
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
