"""A checked /v1 request becomes a Job owned by the token's person and charged to the token's team, through
the same `submit_job` as the web forms (budgets, rate limits, pacing, the Celery pipeline).

An `Idempotency-Key` names the job: the same key from the same person answers with the first job, which
was paid for once, instead of making a second one.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from studio.accounts.tokens import ApiToken
from studio.generation import uploads
from studio.generation.models import Job
from studio.generation.services import submit_job
from studio.models_registry.providers import get_provider

from .errors import GatewayError
from .parsing import ImagesRequest

MAX_KEY_LENGTH = Job._meta.get_field("idempotency_key").max_length


def earlier_job(token: ApiToken, idempotency_key: str) -> Job | None:
    if not idempotency_key:
        return None
    return Job.objects.filter(owner=token.user, idempotency_key=idempotency_key).first()


def submit(token: ApiToken, request: ImagesRequest, *, idempotency_key: str = "") -> Job:
    """The job for this request: the one its idempotency key already names, or a new one."""
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise GatewayError(400, f"The Idempotency-Key header is longer than {MAX_KEY_LENGTH} characters.",
                           param="Idempotency-Key", code="invalid_value")
    known = earlier_job(token, idempotency_key)
    if known is not None:
        return known
    user = token.user
    input_keys = [uploads.store(user, upload.data, upload.measured.info.norm_format) for upload in request.images]
    mask_key = uploads.store(user, request.mask.data, request.mask.measured.info.norm_format) if request.mask else ""
    provider = get_provider()
    try:
        return submit_job(
            user=user, team=token.team, kind=request.kind, model=request.model, prompt=request.prompt,
            params=request.params, input_keys=input_keys, mask_key=mask_key,
            provider="" if provider.is_standin else provider.name,
            via="api", api_token=token, idempotency_key=idempotency_key,
        )
    except PermissionDenied as exc:
        raise GatewayError(403, str(exc), code="permission_denied", type="permission_error") from None
    except IntegrityError:
        # The same key in two requests at once: the other one made the job; answer with it.
        known = earlier_job(token, idempotency_key)
        if known is None:
            raise
        return known
