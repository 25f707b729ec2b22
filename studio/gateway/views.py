"""Studio's OpenAI-compatible Images API: async views that parse, authorize, submit one job, and wait.

The wait holds no thread (gateway/waiting.py); a client that disconnects cancels only its wait, never
the job, which finishes and is archived like any other.
"""
from __future__ import annotations

import functools

from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from studio.generation.live import db
from studio.generation.models import Job
from studio.models_registry.providers import available_models, get_provider
from studio.spending.errors import JobRefused

from . import answers, parsing, relay, submission, waiting
from .auth import token_for
from .errors import GatewayError, refused


def openai_errors(view):
    """Every refusal of a /v1 view in the OpenAI error format."""
    @functools.wraps(view)
    async def wrapped(request, *args, **kwargs):
        try:
            return await view(request, *args, **kwargs)
        except GatewayError as exc:
            return exc.response()
        except JobRefused as exc:
            return refused(exc).response()

    return wrapped


def _checked(kind: str, request) -> parsing.ImagesRequest:
    if kind == Job.Kind.GENERATE:
        return parsing.read(kind, parsing.from_json(request.body))
    return parsing.read(kind, parsing.from_form(request.POST), request.FILES)


async def _images(request, kind: str):
    token = await token_for(request)
    key = request.headers.get("Idempotency-Key", "").strip()
    checked = await db(_checked, kind, request)
    if checked.stream and not checked.spec.streams:
        raise GatewayError(400, f"{checked.model} does not stream.", param="stream", code="unsupported_parameter")
    job = await db(submission.submit, token, checked, idempotency_key=key)
    base_url = request.build_absolute_uri("/")
    if checked.stream:
        return await _streamed(job.pk)
    job = await waiting.settled(job.pk)
    if not job.is_finished:
        raise answers.not_finished(job)
    return JsonResponse(await db(answers.response_body, job, base_url=base_url))


async def _streamed(job_id: int):
    """Nothing is sent until the first partial image or the end, so a job that fails before streaming
    anything answers with its error status, as a plain request would."""
    progress = waiting.progress(job_id)
    first = await anext(progress)
    if first[0] == "finished":
        job = first[1]
        if job.status == Job.Status.FAILED or not await db(answers.stored_images, job):
            raise answers.job_failed(job.failure_code, job.failure_message)
        if not job.is_finished:
            raise answers.not_finished(job)
    response = StreamingHttpResponse(relay.stream([first], progress), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must pass each event on as it comes
    return response


@csrf_exempt
@require_POST
@openai_errors
async def generations(request):
    return await _images(request, Job.Kind.GENERATE)


@csrf_exempt
@require_POST
@openai_errors
async def edits(request):
    return await _images(request, Job.Kind.EDIT)


@csrf_exempt
@require_POST
@openai_errors
async def variations(request):
    return await _images(request, Job.Kind.VARIATION)


def _model_cards() -> list[dict]:
    return [{"id": spec.name, "object": "model", "created": 0, "owned_by": "studio"}
            for spec in available_models(get_provider())]


@require_GET
@openai_errors
async def models(request):
    await token_for(request)
    return JsonResponse({"object": "list", "data": await db(_model_cards)})
