"""Errors in the OpenAI format: `{"error": {"message", "type", "param", "code"}}`, with the status the
Images API would use, so a script written against OpenAI handles Studio's refusals the same way."""
from __future__ import annotations

import math
import re

from django.http import JsonResponse

from studio.spending.errors import JobRefused


class GatewayError(Exception):
    """A request Studio's /v1 refuses before (or instead of) making a job."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None,
                 type: str = "invalid_request_error", headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.type = status, message, param, code, type
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        response = JsonResponse(body, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def unauthorized(message: str) -> GatewayError:
    return GatewayError(401, message, code="invalid_api_key", headers={"WWW-Authenticate": 'Bearer realm="studio"'})


def refused(exc: JobRefused) -> GatewayError:
    """A budget or rate limit: 429, with the refusal's own code, and when to come back if it says."""
    headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))} if exc.retry_after else {}
    return GatewayError(429, exc.message, code=exc.code, type=exc.code, headers=headers)


# A job's failure_code (models_registry.errors.CODES, settling's codes) as the status a client sees:
# what the client asked wrongly is a 4xx, what went wrong upstream or in Studio's pipeline a 502/503.
_FAILURE_STATUS = {
    "bad_parameter": (400, "invalid_request_error", "invalid_value"),
    "moderation_blocked": (400, "image_generation_user_error", "moderation_blocked"),
    "model_access": (404, "invalid_request_error", "model_not_found"),
    "quota_exhausted": (503, "server_error", "upstream_quota_exhausted"),
    "rate_limited": (503, "server_error", "upstream_rate_limited"),
    "timeout": (503, "server_error", "upstream_timeout"),
}


def job_failed(failure_code: str, failure_message: str) -> GatewayError:
    status, kind, code = _FAILURE_STATUS.get(failure_code, (502, "server_error", failure_code or "upstream_error"))
    if failure_code == "upstream_outage":
        said = re.search(r"HTTP (5\d\d)", failure_message)
        status = 503 if said and said.group(1) == "503" else 502
    return GatewayError(status, failure_message or "The image service did not make the image.", code=code, type=kind)
