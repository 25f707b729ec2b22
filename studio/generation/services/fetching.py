"""fetch_image: from the provider's short-lived URL (or b64 bytes) to a home in storage.

Two phases with different clocks. Downloading races the URL deadline: retries back off with jitter
and stop when the next try would land after it (then the image is `expired`, with a reason). Once
the bytes are spooled to local disk, the deadline no longer matters: a storage outage only delays
the image, which is retried (and re-sent by the sweeper) until storage answers again.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from studio import metrics
from studio.audit import context
from studio.gallery import storage
from studio.gallery.imaging import BadImage, extension_for, inspect_image_file, inspect_with_thumbnail
from studio.gallery.models import Image
from studio.gallery.provenance import queue_provenance
from studio.models_registry import outbound
from studio.models_registry.providers import UnknownProvider, get_provider

from ..models import Job
from . import events, mailbox, spool
from .queueing import backoff_seconds, enqueue_fetch
from .settling import EXPIRED_MESSAGE, finish_image, settle_job

log = logging.getLogger(__name__)

DISK_FULL_MESSAGE = "The worker's disk is full; the image waits there until space returns."
DOWNLOAD_ADVICE = ('To download from it, list "{host}" in STUDIO_FETCH_ALLOWED_HOSTS, or in the provider\'s '
                   "download hosts (STUDIO_PROVIDER_DOWNLOAD_HOSTS for the environment's provider).")


class FetchError(Exception):
    """The download did not give us the image; `retryable` says whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool, expired: bool = False, disk_full: bool = False):
        super().__init__(message)
        self.retryable = retryable
        self.expired = expired
        self.disk_full = disk_full  # the worker's spool, not the download: wait for space, not a try


class StoreError(Exception):
    """The image is safe on local disk but storage did not take it. The message is Studio's own words (it
    reaches the image page); what storage said is logged, with its endpoints and bucket names."""


# --- download -------------------------------------------------------------------------------------


def download_policy(extra_hosts: tuple[str, ...] = ()) -> outbound.Policy:
    """Where image links may point: STUDIO_FETCH_ALLOWED_HOSTS (names, *.wildcards, or exact host:port),
    the active stand-in's address, and `extra_hosts` (the answering provider's own address and download
    hosts). Only exact host:port pairs may be internal addresses (a name on the list must be public)."""
    listed = [h for h in settings.STUDIO_FETCH_ALLOWED_HOSTS if h.strip()]
    exact = [h for h in listed if ":" in h and not h.startswith("*.")]
    own = [outbound.url_host_port(settings.STANDIN_URL)] if settings.STANDIN_URL else []
    internal = frozenset(outbound.normalise_host_port(h) for h in exact + own + list(extra_hosts) if h)
    return outbound.Policy(hosts=tuple(listed) + tuple(internal), internal=internal, advice=DOWNLOAD_ADVICE)


def download_to_spool(url: str, *, extra_hosts: tuple[str, ...] = ()) -> str:
    """Stream `url` to a spool file through the outbound guard: allowed hosts and addresses only, no
    redirects, one deadline for the whole download, a size cap."""
    path = None
    try:
        with outbound.open_url(url, download_policy(extra_hosts), timeout=settings.STUDIO_FETCH_TIMEOUT) as resp:
            _refuse_status(resp)
            expected = int(resp.headers.get("Content-Length") or 0)
            if expected > settings.STUDIO_FETCH_MAX_BYTES:
                raise FetchError("The image is larger than Studio accepts.", retryable=False)
            fd, path = spool.new_partial_file()
            received = 0
            with os.fdopen(fd, "wb") as fh:
                for chunk in resp.iter_bytes(settings.STUDIO_FETCH_MAX_BYTES):
                    received += len(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            if expected and received != expected:
                raise FetchError("The download was cut short.", retryable=True)
        try:
            inspect_image_file(path)
        except BadImage as exc:
            raise FetchError(str(exc), retryable=True) from exc
    except outbound.OutboundError as exc:
        spool.discard(path)
        raise FetchError(_describe(exc), retryable=exc.retryable) from exc
    except FetchError:
        spool.discard(path)
        raise
    except OSError as exc:
        spool.discard(path)
        if spool.is_disk_full(exc):
            raise FetchError(DISK_FULL_MESSAGE, retryable=True, disk_full=True) from exc
        raise
    return spool.keep_partial(path)


def _refuse_status(resp: outbound.Response) -> None:
    status = resp.status
    if 300 <= status < 400:
        target = resp.headers.get("Location", "")
        same_host = outbound.url_host_port(urljoin(f"{resp.target.scheme}://{resp.target.host_port}/", target)) \
            == resp.target.host_port
        # Even to the same host we do not follow: signed blob URLs never redirect.
        raise FetchError("The image URL redirected " + ("within its host" if same_host else "to another host")
                         + "; Studio does not follow redirects for downloads.", retryable=False)
    if status in (403, 404, 410):
        raise FetchError("The provider refused the download: the link has expired.", retryable=False, expired=True)
    if status >= 500 or status in (408, 429):
        raise FetchError(f"The image host answered {status}.", retryable=True)
    if status != 200:
        raise FetchError(f"The image host answered {status}.", retryable=False)


def _download_hosts(image: Image) -> tuple[str, ...]:
    """The host:port pairs of the provider that answered with this image's link: its own address and
    its download hosts."""
    name = Job.objects.filter(pk=image.job_id).values_list("provider", flat=True).first() or None
    try:
        provider = get_provider(name)
    except UnknownProvider:  # removed since: its links are not trusted any more
        return ()
    own = outbound.url_host_port(provider.azure_endpoint or provider.base_url)
    return ((own,) if own else ()) + tuple(provider.download_hosts)


def _describe(exc: outbound.OutboundError) -> str:
    if isinstance(exc, outbound.TooLarge):
        return "The image is larger than Studio accepts."
    if isinstance(exc, outbound.CutShort):
        return "The download was cut short."
    if isinstance(exc, outbound.DeadlinePassed):
        return "The image host did not finish sending the image in time."
    return str(exc)


# --- the task's entry point -----------------------------------------------------------------------


def fetch_image(image_id: int) -> None:
    with mailbox.Lease(f"fetch:{image_id}", settings.STUDIO_FETCH_LEASE_SECONDS) as held:
        if not held:
            return  # another worker is on it; if it dies its lease lapses and the sweeper re-sends
        mailbox.clear_sent(f"fetch:{image_id}")
        image = Image.objects.filter(pk=image_id, status=Image.Status.PENDING).first()
        if image is not None:
            with context.bind(job_id=image.job_id):  # for the log lines of this fetch
                _fetch(image)


def _fetch(image: Image) -> None:
    if not spool.is_spooled(image.spool_path):
        if image.spool_path:
            # Spooled on another machine, or the disk was lost: the URL is the only way back.
            log.warning("image %s: spool file %s is gone", image.pk, image.spool_path)
            Image.objects.filter(pk=image.pk).update(spool_path="")
            image.spool_path = ""
        if not image.source_url:
            finish_image(image, Image.Status.FAILED,
                         "The image's bytes were lost from the worker's disk before they could be stored.")
            return
        if not image.url_is_alive():
            finish_image(image, Image.Status.EXPIRED, EXPIRED_MESSAGE)
            return
        image.fetch_attempts += 1
        try:
            with metrics.timed(metrics.FETCH_SECONDS):
                path = download_to_spool(image.source_url, extra_hosts=_download_hosts(image))
        except FetchError as exc:
            Image.objects.filter(pk=image.pk).update(fetch_attempts=F("fetch_attempts") + 1)
            _retry_download_or_give_up(image, exc)
            return
        Image.objects.filter(pk=image.pk).update(spool_path=path, failure_reason="",
                                                 fetch_attempts=F("fetch_attempts") + 1)
        image.spool_path = path
    try:
        store_spooled_image(image)
    except StoreError as exc:
        _retry_store(image, str(exc))


def _retry_download_or_give_up(image: Image, exc: FetchError) -> None:
    reason = str(exc)
    metrics.failure("spool_full" if exc.disk_full else "url_expired" if exc.expired else "download_failed")
    if exc.disk_full:
        _wait_for_disk_space(image, reason)
        return
    if exc.expired:
        finish_image(image, Image.Status.EXPIRED, reason)
        return
    attempts = image.fetch_attempts
    if exc.retryable and attempts < settings.STUDIO_FETCH_RETRY_LIMIT:
        delay = backoff_seconds(attempts, base=settings.STUDIO_FETCH_BACKOFF_BASE, cap=settings.STUDIO_FETCH_BACKOFF_CAP)
        if image.url_is_alive(timezone.now() + timedelta(seconds=delay)):
            Image.objects.filter(pk=image.pk, status=Image.Status.PENDING).update(
                failure_reason=f"{reason} Studio will try again.")
            enqueue_fetch(image.pk, countdown=delay, deadline=image.url_expires_at)
            return
        finish_image(image, Image.Status.EXPIRED,
                     f"The provider's link expired while Studio was still retrying the download ({reason})")
        return
    if exc.retryable:
        reason = f"{reason} (gave up after {attempts} downloads)"
    finish_image(image, Image.Status.FAILED, reason)


def _wait_for_disk_space(image: Image, reason: str) -> None:
    """No try is spent on a full spool: wait for space as long as the provider's link lives."""
    delay = backoff_seconds(min(image.fetch_attempts, 8), base=settings.STUDIO_FETCH_BACKOFF_BASE,
                            cap=settings.STUDIO_FETCH_BACKOFF_CAP)
    if image.url_is_alive(timezone.now() + timedelta(seconds=delay)):
        Image.objects.filter(pk=image.pk, status=Image.Status.PENDING).update(failure_reason=reason)
        log.warning("image %s: the spool is full; trying again in %.1fs", image.pk, delay)
        enqueue_fetch(image.pk, countdown=delay, deadline=image.url_expires_at)
        return
    finish_image(image, Image.Status.EXPIRED,
                 "The provider's link expired while the worker's disk was full, before the image could be downloaded.")


def _retry_store(image: Image, reason: str) -> None:
    """The bytes are on local disk: wait for storage as long as it takes (the sweeper also re-sends)."""
    delay = backoff_seconds(min(image.fetch_attempts + 1, 12), base=2.0, cap=settings.STUDIO_STORE_BACKOFF_CAP)
    delay = max(delay, 1.0)
    metrics.failure("storage_unavailable")
    Image.objects.filter(pk=image.pk, status=Image.Status.PENDING).update(
        fetch_attempts=F("fetch_attempts") + 1,
        failure_reason="Storage is not answering; the image is safe on the worker's disk and will be stored "
                       f"when storage is back ({reason}).",
    )
    log.warning("image %s: storage failed (%s); retrying in %.1fs", image.pk, reason, delay)
    enqueue_fetch(image.pk, countdown=delay)


# --- store ----------------------------------------------------------------------------------------

# A bulkhead: only a few threads of a worker may wait on storage at once. Stores take milliseconds
# when storage is healthy, so the slots are only ever full when it is slow or down; then the other
# threads leave the spooled image for later and go on downloading, since downloads race URL deadlines
# and stores do not.
_store_slots: threading.BoundedSemaphore | None = None
_store_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    global _store_slots
    with _store_slots_lock:
        if _store_slots is None:
            _store_slots = threading.BoundedSemaphore(max(1, settings.STUDIO_STORE_CONCURRENCY))
        return _store_slots



def store_spooled_image(image: Image) -> None:
    try:
        facts, thumbnail = inspect_with_thumbnail(image.spool_path)  # one decode for both
    except BadImage as exc:  # b64 bytes are checked here for the first time
        spool.discard(image.spool_path)
        Image.objects.filter(pk=image.pk).update(spool_path="")
        finish_image(image, Image.Status.FAILED, f"The image service returned bytes Studio cannot keep: {exc}")
        return
    key = image.storage_key or storage.image_key(
        owner_id=image.owner_id, team_id=image.team_id, extension=extension_for(facts.content_type), name=image.uuid.hex
    )
    if thumbnail is None:  # the original is what must be kept
        log.warning("image %s: no thumbnail could be made", image.pk)
    thumb, thumb_w, thumb_h = thumbnail or (None, None, None)
    digest = _sha256_of(image.spool_path)
    size = os.path.getsize(image.spool_path)
    thumb_key = storage.thumb_key_for(key) if thumb else ""
    slots = _slots()
    if not slots.acquire(timeout=settings.STUDIO_STORE_WAIT):
        raise StoreError("storage is slow to answer")
    try:
        with metrics.timed(metrics.STORE_SECONDS):
            storage.save_file(key, image.spool_path)
            if thumb:
                storage.save_bytes(thumb_key, thumb)
    except Exception as exc:  # noqa: BLE001 - S3 and filesystem raise many kinds
        # Keep the key, so the next try overwrites what this one may have half written.
        Image.objects.filter(pk=image.pk, storage_key="").update(storage_key=key)
        # The exception's text names endpoints, buckets and paths: it is for the log, never for the page.
        log.warning("image %s: storage refused %s: %s: %s", image.pk, key, type(exc).__name__, exc)
        raise StoreError("storage did not take the file") from exc
    finally:
        slots.release()
    stored = Image.objects.filter(pk=image.pk, status=Image.Status.PENDING).update(
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
    if stored:
        metrics.image_stored(size)
        spool.discard(image.spool_path)
        queue_provenance(image.pk)  # content credentials and fingerprint: a task of its own, after commit
        events.publish(image.job_id, events.IMAGE_STORED, image=image.pk)
    settle_job(image.job_id)


def _sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
