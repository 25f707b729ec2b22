"""The life of a job: submit, run (one paid call), fetch and store each image.

Views and tasks are thin and call these functions; the database row is the truth at every step,
so any step can be repeated by a redelivered task or by the sweeper without paying twice.
"""
import base64
import hashlib
import logging
import os
import tempfile
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from studio.gallery import storage
from studio.gallery.imaging import BadImage, inspect_image_file, make_thumbnail
from studio.gallery.models import Image
from studio.models_registry.errors import classify
from studio.models_registry.pricing import actual_cost, estimate_cost
from studio.models_registry.providers import get_provider, make_client
from studio.models_registry.registry import get_model

from .models import Job

log = logging.getLogger(__name__)

# Provider URLs live 60 minutes after `created` (Azure: 24 h); when the API does not say, assume the
# shorter window so we never plan a download after the URL died.
DEFAULT_URL_TTL = timedelta(minutes=60)


# --- submit ---------------------------------------------------------------------------------------


def submit_job(
    *,
    user,
    model: str,
    prompt: str,
    params: dict,
    kind: str = Job.Kind.GENERATE,
    team=None,
    source_image: Image | None = None,
    input_keys: list[str] | None = None,
    mask_key: str = "",
    provider: str = "",
) -> Job:
    spec = get_model(model)
    with transaction.atomic():
        job = Job.objects.create(
            owner=user,
            team=team,
            kind=kind,
            provider=provider,
            model=model,
            prompt=prompt,
            params=params,
            source_image=source_image,
            input_keys=input_keys or [],
            mask_key=mask_key,
            cost_estimate=estimate_cost(spec, kind, params),
        )
        transaction.on_commit(lambda: enqueue_run(job.pk))
    return job


def enqueue_run(job_id: int, *, countdown: float | None = None) -> None:
    from . import tasks

    tasks.run_job.apply_async((job_id,), countdown=countdown)


def enqueue_fetch(image_id: int, *, countdown: float | None = None) -> None:
    from . import tasks

    tasks.fetch_image.apply_async((image_id,), countdown=countdown)


# --- run: the one paid call -----------------------------------------------------------------------


def run_job(job_id: int) -> None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        **Job().stamp(Job.Status.CALLING, started_at=now), attempts=F("attempts") + 1
    )
    if not claimed:
        return  # another delivery has it, or it already finished
    job = Job.objects.select_related("source_image").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(api_calls=F("api_calls") + 1, called_at=timezone.now())
    try:
        response = call_provider(job)
    except Exception as exc:  # every upstream failure is classified, none escapes unrecorded
        _handle_call_failure(job, exc)
        return
    record_response(job, response)


def call_provider(job: Job):
    """One request upstream, shaped by the registry: which call, which parameters, which files."""
    provider = get_provider(job.provider or None)
    client = make_client(provider, timeout=settings.STUDIO_PROVIDER_TIMEOUT, max_retries=0)
    spec = get_model(job.model)
    call = spec.call_for(job.kind)
    kwargs = spec.api_params(job.kind, {"prompt": job.prompt, **job.params}, model=provider.model_param(job.model))
    kwargs["extra_headers"] = {"X-Studio-Job": str(job.pk)}
    if call == "generate":
        return client.images.generate(**kwargs)
    files = [_input_file(key) for key in job.input_keys]
    if call == "create_variation":
        return client.images.create_variation(image=files[0], **kwargs)
    if job.mask_key:
        kwargs["mask"] = _input_file(job.mask_key)
    return client.images.edit(image=files[0] if len(files) == 1 else files, **kwargs)


def _input_file(key: str):
    with storage.open_key(key) as fh:
        return (Path(key).name, fh.read(), _content_type_for(key))


def _content_type_for(key: str) -> str:
    return {"png": "image/png", "webp": "image/webp", "jpg": "image/jpeg", "jpeg": "image/jpeg"}.get(
        key.rsplit(".", 1)[-1].lower(), "application/octet-stream"
    )


def _handle_call_failure(job: Job, exc: Exception) -> None:
    failure = classify(exc)
    log.info("job %s: upstream call failed: %s (%s)", job.pk, failure.code, failure.status)
    calls = Job.objects.filter(pk=job.pk).values_list("api_calls", flat=True).get()
    if failure.retryable and calls <= settings.STUDIO_API_RETRY_LIMIT:
        delay = failure.retry_after if failure.retry_after is not None else backoff_seconds(calls)
        Job.objects.filter(pk=job.pk, status=Job.Status.CALLING).update(
            **job.stamp(Job.Status.QUEUED, not_before=timezone.now() + timedelta(seconds=delay)),
            failure_code=failure.code,
            failure_message=failure.message,
        )
        enqueue_run(job.pk, countdown=delay)
        return
    Job.objects.filter(pk=job.pk, status=Job.Status.CALLING).update(
        **job.stamp(Job.Status.FAILED), failure_code=failure.code, failure_message=failure.message
    )


def backoff_seconds(attempt: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter: spreads retries of many workers after one outage."""
    import random

    return random.uniform(0, min(cap, base * (2 ** max(attempt - 1, 0))))


def record_response(job: Job, response) -> None:
    """Store what the API returned in one transaction, then queue one download per image."""
    spec = get_model(job.model)
    created = int(getattr(response, "created", 0) or 0) or int(timezone.now().timestamp())
    created_at = datetime.fromtimestamp(created, tz=dt_timezone.utc)
    usage = response.usage.model_dump() if getattr(response, "usage", None) else {}
    items = list(response.data or [])
    with transaction.atomic():
        images = []
        for index, item in enumerate(items):
            image = Image(
                owner_id=job.owner_id,
                team_id=job.team_id,
                job=job,
                index=index,
                parent_id=job.source_image_id,
                model=job.model,
                prompt=job.prompt,
                revised_prompt=item.revised_prompt or "",
                params=job.params,
            )
            if item.b64_json:
                image.spool_path = spool_bytes(base64.b64decode(item.b64_json))
            else:
                image.source_url = item.url or ""
                image.url_expires_at = created_at + DEFAULT_URL_TTL
            images.append(image)
        Image.objects.bulk_create(images)
        Job.objects.filter(pk=job.pk).update(
            **job.stamp(Job.Status.FETCHING if items else Job.Status.FAILED),
            response_created=created,
            usage=usage,
            cost_actual=actual_cost(spec, job.params, usage, len(items)),
            failure_code="" if items else "empty_response",
            failure_message="" if items else "The model answered with no images.",
        )
        ids = list(Image.objects.filter(job=job).values_list("pk", flat=True))
        transaction.on_commit(lambda: [enqueue_fetch(pk) for pk in ids])


# --- fetch and store ------------------------------------------------------------------------------


class FetchError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def spool_dir() -> Path:
    path = Path(settings.SPOOL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_bytes(data: bytes) -> str:
    fd, path = tempfile.mkstemp(dir=spool_dir(), suffix=".img")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def host_is_allowed(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    for pattern in settings.STUDIO_FETCH_ALLOWED_HOSTS + _provider_hosts():
        pattern = pattern.lower()
        if pattern.startswith("*.") and (host.endswith(pattern[1:]) or host == pattern[2:]):
            return True
        if host == pattern:
            return True
    return False


def _provider_hosts() -> list[str]:
    hosts = []
    for url in (settings.OPENAI_BASE_URL, settings.STANDIN_URL):
        if url:
            hosts.append((urlparse(url).hostname or "").lower())
    return hosts


def download_to_spool(url: str) -> str:
    """Stream `url` to a spool file, refusing other hosts, redirects away, and oversized bodies."""
    if not host_is_allowed(url):
        raise FetchError("The image URL points at a host Studio does not download from.", retryable=False)
    try:
        with requests.get(
            url, stream=True, timeout=(10, settings.STUDIO_FETCH_TIMEOUT), allow_redirects=False
        ) as resp:
            if resp.status_code in (301, 302, 303, 307, 308):
                raise FetchError("The image URL redirected elsewhere; Studio does not follow it.", retryable=False)
            if resp.status_code == 403:
                raise FetchError("The provider refused the download (the link has expired).", retryable=False)
            if resp.status_code >= 500 or resp.status_code == 429:
                raise FetchError(f"The image host answered {resp.status_code}.", retryable=True)
            if resp.status_code != 200:
                raise FetchError(f"The image host answered {resp.status_code}.", retryable=False)
            expected = int(resp.headers.get("Content-Length") or 0)
            if expected > settings.STUDIO_FETCH_MAX_BYTES:
                raise FetchError("The image is larger than Studio accepts.", retryable=False)
            fd, path = tempfile.mkstemp(dir=spool_dir(), suffix=".part")
            received = 0
            with os.fdopen(fd, "wb") as fh:
                for chunk in resp.iter_content(64 * 1024):
                    received += len(chunk)
                    if received > settings.STUDIO_FETCH_MAX_BYTES:
                        os.unlink(path)
                        raise FetchError("The image is larger than Studio accepts.", retryable=False)
                    fh.write(chunk)
    except requests.RequestException as exc:
        raise FetchError(f"The download was interrupted ({type(exc).__name__}).", retryable=True) from exc
    if expected and received != expected:
        os.unlink(path)
        raise FetchError("The download was cut short.", retryable=True)
    try:
        inspect_image_file(path)
    except BadImage as exc:
        os.unlink(path)
        raise FetchError(str(exc), retryable=True) from exc
    final = path[: -len(".part")] + ".img"
    os.replace(path, final)
    return final


def fetch_image(image_id: int) -> None:
    image = Image.objects.filter(pk=image_id, status=Image.Status.PENDING).first()
    if image is None:
        return  # already stored, failed or expired
    Image.objects.filter(pk=image.pk).update(fetch_attempts=F("fetch_attempts") + 1)
    if not (image.spool_path and os.path.exists(image.spool_path)):
        if not image.url_is_alive():
            _finish_image(image, Image.Status.EXPIRED, "The provider's link expired before Studio could download the image.")
            return
        try:
            path = download_to_spool(image.source_url)
        except FetchError as exc:
            _retry_or_fail(image, str(exc), retryable=exc.retryable)
            return
        Image.objects.filter(pk=image.pk).update(spool_path=path)
        image.spool_path = path
    store_spooled_image(image)


def store_spooled_image(image: Image) -> None:
    facts = inspect_image_file(image.spool_path)
    key = image.storage_key or storage.image_key(
        owner_id=image.owner_id, team_id=image.team_id, extension=_EXT[facts.content_type], name=image.uuid.hex
    )
    thumb, thumb_w, thumb_h = make_thumbnail(image.spool_path)
    digest = _sha256_of(image.spool_path)
    size = os.path.getsize(image.spool_path)
    storage.save_file(key, image.spool_path)
    thumb_key = storage.thumb_key_for(key)
    storage.save_bytes(thumb_key, thumb)
    Image.objects.filter(pk=image.pk).update(
        status=Image.Status.STORED,
        storage_key=key,
        thumb_key=thumb_key,
        content_type=facts.content_type,
        width=facts.width,
        height=facts.height,
        thumb_width=thumb_w,
        thumb_height=thumb_h,
        byte_size=size,
        sha256=digest,
        stored_at=timezone.now(),
        spool_path="",
        source_url="",
        failure_reason="",
    )
    try:
        os.unlink(image.spool_path)
    except FileNotFoundError:
        pass
    settle_job(image.job_id)


_EXT = {"image/png": "png", "image/webp": "webp", "image/jpeg": "jpg", "image/gif": "gif"}


def _sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


MAX_FETCH_ATTEMPTS = 5


def _retry_or_fail(image: Image, reason: str, *, retryable: bool) -> None:
    attempts = image.fetch_attempts + 1
    if retryable and attempts < MAX_FETCH_ATTEMPTS:
        delay = backoff_seconds(attempts, base=0.5, cap=20)
        if image.url_expires_at and timezone.now() + timedelta(seconds=delay) < image.url_expires_at:
            Image.objects.filter(pk=image.pk).update(failure_reason=reason)
            enqueue_fetch(image.pk, countdown=delay)
            return
    expired = "expired" in reason
    _finish_image(image, Image.Status.EXPIRED if expired else Image.Status.FAILED, reason)


def _finish_image(image: Image, status: str, reason: str) -> None:
    Image.objects.filter(pk=image.pk, status=Image.Status.PENDING).update(status=status, failure_reason=reason)
    settle_job(image.job_id)


def settle_job(job_id: int) -> None:
    """When no image of the job is pending, the job is done, partly failed, or failed."""
    statuses = list(Image.objects.filter(job_id=job_id).values_list("status", flat=True))
    if not statuses or Image.Status.PENDING in statuses:
        return
    stored = statuses.count(Image.Status.STORED)
    if stored == len(statuses):
        status, code, message = Job.Status.DONE, "", ""
    elif stored:
        status, code, message = Job.Status.PARTIALLY_FAILED, "some_images_lost", f"{len(statuses) - stored} of {len(statuses)} images could not be downloaded."
    else:
        status, code, message = Job.Status.FAILED, "download_failed", "None of the images could be downloaded."
    Job.objects.filter(pk=job_id, status=Job.Status.FETCHING).update(
        **Job().stamp(status), failure_code=code, failure_message=message
    )


def describe_estimate(query) -> str:
    """'Estimated cost: $0.040' for the options in `query`, or '' when they are not complete yet."""
    from studio.models_registry.registry import UnknownModel

    try:
        spec = get_model(query.get("model", ""))
    except UnknownModel:
        return ""
    operation = query.get("operation", Job.Kind.GENERATE)
    params = {k: v for k, v in query.items() if k not in ("model", "operation", "team") and v != ""}
    if "n" in params:
        try:
            params["n"] = int(params["n"])
        except ValueError:
            return ""
    try:
        cost = estimate_cost(spec, operation, params)
    except Exception:  # half-typed options are normal while a person edits the form
        return ""
    if cost is None:
        return ""
    return f"Estimated cost: ${cost:.3f}"
