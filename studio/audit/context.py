"""Who is asking, for the length of one request (or one task): request id, address, user agent, person,
and the job and image being worked on.

Kept in contextvars, so the audit trail and the logs can say who did something without every
function passing the request down. The middleware sets it for web requests; tasks get it from the
message that the request sent (studio/ops/task_context.py); anything else (a command) may set it
with `bind(...)`.
"""
from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""
    user_agent: str = ""
    user_id: int | None = None
    username: str = ""
    job_id: int | None = None
    image_id: int | None = None
    task: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("studio_request", default=RequestContext())


def current() -> RequestContext:
    return _current.get()


@contextmanager
def bind(**fields):
    """Add to the current context for the block: `with bind(request_id=..., user_id=...): ...`."""
    token = _current.set(replace(_current.get(), **fields))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def enter(context: RequestContext) -> contextvars.Token:
    """Make `context` current until `leave(token)`: for a task, whose start and end are two signals."""
    return _current.set(context)


def leave(token: contextvars.Token) -> None:
    _current.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def _clean_request_id(raw: str) -> str:
    # A proxy's id is kept when it is a sane token; anything else is replaced, not trusted into logs.
    raw = (raw or "").strip()
    if raw and len(raw) <= 64 and all(c.isalnum() or c in "-_." for c in raw):
        return raw
    return new_request_id()


class RequestContextMiddleware:
    """Sets the context for each request and answers with its id in `X-Request-ID`.

    Goes after AuthenticationMiddleware, so the person is known. The address is REMOTE_ADDR: behind a
    proxy, the deployment's proxy settings decide what that is (never a header a client could forge).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        context = RequestContext(
            request_id=_clean_request_id(request.META.get(REQUEST_ID_HEADER, "")),
            ip=request.META.get("REMOTE_ADDR", "") or "",
            user_agent=(request.META.get("HTTP_USER_AGENT", "") or "")[:300],
            user_id=user.pk if signed_in else None,
            username=user.get_username() if signed_in else "",
        )
        request.studio_context = context  # for the lines Django logs after the middleware (4xx, 5xx)
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = context.request_id
        return response
