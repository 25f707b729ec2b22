"""Upstream failures mapped to stable reason codes and sentences a person understands.

``classify(exc)`` takes whatever the ``openai`` SDK (or the network under it) raised and answers what
happened, whether trying again can help, and how long to wait. The codes are stable: jobs store them
and the UI and the retry policy switch on them. Messages never carry keys or raw headers: upstream
text is scrubbed of anything that looks like a credential before it is quoted.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import math
import re
import socket
from dataclasses import asdict, dataclass

import openai

CODES = (
    "bad_parameter", "moderation_blocked", "invalid_key", "model_access", "endpoint_missing", "quota_exhausted",
    "rate_limited", "upstream_outage", "timeout", "connection_error", "unknown",
)

MODERATION_CODES = {"moderation_blocked", "content_policy_violation", "content_filter", "safety_violation"}
# OpenAI's type for a refused image request; gateways (LiteLLM) keep it while replacing the code by "400".
MODERATION_TYPES = {"image_generation_user_error"}
MODERATION_WORDS = re.compile(r"(?i)safety system|content[ _]policy|moderation_blocked|safety_violations|"
                              r"content management policy|responsible ai")
QUOTA_CODES = {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"}
# Gateway bodies that mean "this key is not accepted", whatever the status: LiteLLM without a database
# answers a key other than its master key with 400 "no_db_connection".
KEY_CODES = {"invalid_api_key", "no_db_connection", "invalid_key", "authentication_error", "unauthorized"}
KEY_WORDS = re.compile(r"(?i)no_db_connection|authentication error|invalid api key|incorrect api key|"
                       r"invalid proxy server token|api key (is )?(not valid|invalid|expired)")
MODEL_WORDS = re.compile(r"(?i)\bmodel\b|deployment")
ENDPOINT_NAMES = {"generations": "image generations", "edits": "edits", "variations": "variations"}

# Long enough to be a credential, in the shapes providers use: sk-..., Bearer ..., Azure's 32-hex and
# 84-character keys (any run of 32+ letters and digits that mixes both; no word of a sentence does).
_SECRET_RE = re.compile(
    r"(?i)(bearer\s+\S+|\bsk-[\w\-*]{4,}|\b[a-f0-9]{32}\b|api[-_]?key[\"'=:\s]+\S+"
    r"|\b(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{32,}\b)"
)
_MAX_QUOTED = 300


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    retryable: bool
    retry_after: float | None = None
    status: int | None = None
    param: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def retrying(self, delay: float | None = None) -> str:
        """The message while Studio waits to try again."""
        when = f" in about {_seconds(delay)}" if delay and delay >= 1 else " shortly"
        return f"{self.message} Studio will try again{when}."

    def given_up(self, tries: int, *, capped: bool = False) -> str:
        """The message once Studio stops; the number of tries is said here and nowhere else."""
        if tries <= 1:
            return self.message
        if capped:
            return f"{self.message} Studio stopped after {tries} requests, the most it sends for one job."
        return f"{self.message} Studio gave up after {tries} tries."


def scrub(text: str) -> str:
    """Upstream text made safe to show: credentials removed, length bounded."""
    text = _SECRET_RE.sub("[redacted]", str(text or "")).strip()
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 1] + "…"


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _upstream_message(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        msg = inner.get("message")
        if isinstance(msg, str) and msg.strip():
            return scrub(msg)
    return ""


def _code(exc: openai.APIError) -> str:
    return str(getattr(exc, "code", None) or "").lower()


def _type(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    inner = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else body
    return str(inner.get("type") or "").lower() if isinstance(inner, dict) else ""


def _endpoint(exc: openai.APIStatusError) -> str:
    """Which Images API endpoint the failed request went to ("" when it was not one)."""
    request = getattr(exc, "request", None)
    path = str(getattr(getattr(request, "url", None), "path", "") or "")
    match = re.search(r"/images/(generations|edits|variations)$", path.rstrip("/"))
    return match.group(1) if match else ""


def classify(exc: BaseException) -> Failure:
    """What an exception from an Images API call means for the job and for the person who asked.

    ``message`` says what happened, and never what Studio will do about it: the caller adds that once
    (``Failure.retrying`` / ``Failure.given_up``), so a message cannot promise a retry and report giving up.
    """
    if isinstance(exc, openai.APITimeoutError):
        return Failure("timeout", "The image service did not answer in time.", True)
    if isinstance(exc, openai.APIConnectionError):
        return Failure("connection_error", "Studio could not reach the image service.", True)
    if isinstance(exc, openai.APIStatusError):
        return _classify_status(exc)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return Failure("timeout", "The image service did not answer in time.", True)
    if isinstance(exc, ConnectionError):
        return Failure("connection_error", "Studio could not reach the image service.", True)
    return Failure("unknown", "Something unexpected went wrong while calling the image service.", False)


def is_moderation(exc: openai.APIStatusError) -> bool:
    code, kind = _code(exc), _type(exc)
    if code in MODERATION_CODES:
        return True
    if exc.status_code not in (400, 422):
        return False
    if kind in MODERATION_TYPES and not getattr(exc, "param", None):
        return True
    return bool(MODERATION_WORDS.search(_upstream_message(exc)))


def is_key_problem(exc: openai.APIStatusError) -> bool:
    if exc.status_code == 401:
        return True
    code, kind, upstream = _code(exc), _type(exc), _upstream_message(exc)
    if code in KEY_CODES or kind in KEY_CODES or KEY_WORDS.search(upstream):
        return True
    # A 403 about the key or the account, not about a model or deployment it cannot use.
    return exc.status_code == 403 and not (getattr(exc, "param", None) == "model" or MODEL_WORDS.search(upstream)
                                           or code == "model_not_found")


def _classify_status(exc: openai.APIStatusError) -> Failure:
    status = exc.status_code
    code = _code(exc)
    param = getattr(exc, "param", None) or None
    upstream = _upstream_message(exc)
    retry_after = _retry_after(exc)

    if is_moderation(exc):
        return Failure(
            "moderation_blocked",
            "The image service's safety system refused this request. Rephrase the prompt or change the image.",
            False, None, status, param,
        )
    if is_key_problem(exc):
        said = f" (it answered HTTP {status}" + (f": {upstream})" if upstream else ")")
        return Failure(
            "invalid_key",
            f"The image service rejected Studio's API key{said}. An administrator needs to check the provider "
            "settings.",
            False, None, status, None,
        )
    if status in (404, 405) and not (param == "model" or code in ("model_not_found", "deploymentnotfound")
                                     or MODEL_WORDS.search(upstream)):
        endpoint = _endpoint(exc)
        what = ENDPOINT_NAMES.get(endpoint, "this operation")
        where = f"/v1/images/{endpoint}" if endpoint else "the endpoint"
        return Failure(
            "endpoint_missing",
            f"This provider does not offer {what} ({where} answered HTTP {status}). Choose another provider, "
            "or another way to make the picture.",
            False, None, status, None,
        )
    if status in (400, 413, 415, 422):
        if param:
            message = f"The image service refused the {param} parameter"
        else:
            message = "The image service refused the request's parameters"
        message += f": {upstream}" if upstream else "."
        return Failure("bad_parameter", message, False, None, status, param)
    if status in (403, 404):
        return Failure(
            "model_access",
            "Studio's key has no access to this model (or the model or deployment does not exist at this "
            "provider). Choose another model or ask an administrator.",
            False, None, status, param,
        )
    if status == 429:
        if code in QUOTA_CODES:
            return Failure(
                "quota_exhausted",
                "The image service says the account has used up its quota or credit. An administrator needs to "
                "add credit or raise the limit; trying again will not help until then.",
                False, None, status, None,
            )
        wait = f" (it asks to wait {_seconds(retry_after)})" if retry_after else ""
        return Failure("rate_limited", f"The image service is rate limiting Studio's requests{wait}.",
                       True, retry_after, status, None)
    if status == 408:
        return Failure("timeout", "The image service timed out handling the request.", True, retry_after, status, None)
    if status == 409:
        return Failure("upstream_outage", "The image service reported a conflict.", True, retry_after, status, None)
    if status >= 500:
        return Failure("upstream_outage", f"The image service is having trouble (HTTP {status}).",
                       True, retry_after, status, None)
    return Failure("unknown",
                   f"The image service refused the request (HTTP {status})" + (f": {upstream}" if upstream else "."),
                   False, None, status, param)


def _seconds(value: float) -> str:
    value = max(1, math.ceil(value))
    return "1 second" if value == 1 else f"{value} seconds"
