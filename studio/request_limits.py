"""Bounded input: a request body over STUDIO_MAX_UPLOAD_MB is refused with 413 before it is read.

Two doors, because the servers read bodies at different times:
- `refuse_large_bodies` (Django middleware, first in MIDDLEWARE) answers 413 from the declared
  Content-Length, before anything touches the body. Under WSGI (gunicorn's sync workers, runserver)
  Django reads at most Content-Length bytes, so a body without one is read as empty: this is enough.
- `BodySizeLimit` (ASGI, wraps the application in studio/asgi.py) is for uvicorn: Django's ASGI handler
  spools the whole body to a temporary file before any middleware runs, and a chunked body declares no
  length. It counts the bytes as they arrive and stops at the limit, so at most the limit is spooled.
"""
from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpResponse, JsonResponse


def limit_bytes() -> int:
    return settings.STUDIO_MAX_UPLOAD_MB * 1024 * 1024


def too_large_message(size: int | None = None) -> str:
    said = f" ({size / (1024 * 1024):.1f} MB)" if size else ""
    return (f"The upload is too large{said}: Studio takes up to {settings.STUDIO_MAX_UPLOAD_MB} MB in one "
            "request. Send smaller or fewer pictures.")


def too_large_response(path: str, size: int | None = None) -> HttpResponse:
    message = too_large_message(size)
    if path.startswith("/v1/"):  # the OpenAI-compatible API answers in its error shape
        return JsonResponse({"error": {"message": message, "type": "invalid_request_error", "param": None,
                                       "code": "request_too_large"}}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _declared_too_large(request) -> int | None:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return declared if declared > limit_bytes() else None


def refuse_large_bodies(get_response):
    if iscoroutinefunction(get_response):
        async def middleware(request):
            size = _declared_too_large(request)
            if size:
                return too_large_response(request.path, size)
            return await get_response(request)

        markcoroutinefunction(middleware)
        return middleware

    def middleware(request):  # noqa: F811 - the sync flavour of the same door
        size = _declared_too_large(request)
        if size:
            return too_large_response(request.path, size)
        return get_response(request)

    return middleware


refuse_large_bodies.sync_capable = True
refuse_large_bodies.async_capable = True


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware: 413 when a body (declared or chunked) passes the limit, reading no further."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = limit_bytes()
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return await self._refuse(scope, send, declared)
        received = 0
        started = False

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(scope, send, None)

    @staticmethod
    async def _refuse(scope, send, size):
        response = too_large_response(scope.get("path", ""), size)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", response["Content-Type"].encode()),
                                (b"content-length", str(len(response.content)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": response.content})
