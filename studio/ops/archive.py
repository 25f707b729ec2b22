"""The archive proves it is whole: re-read stored originals and thumbnails, check presence and sha256.

A check covers the stored images that exist when it starts (or a random sample of them), in id order,
and saves its place as it goes, so a stopped run resumes where it was. It reads at most `per_second`
images a second, so a check of a large archive shares storage with the pipeline instead of starving it.
Images whose trash time is over are left out: the purge may be deleting their objects right now.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone

from studio.gallery import storage
from studio.gallery.models import Image

from .models import ArchiveCheck

log = logging.getLogger(__name__)

BATCH = 200
SAVE_EVERY = 25  # images between progress saves (and at least every SAVE_SECONDS)
SAVE_SECONDS = 2.0
CHECK_FIELDS = ("id", "storage_key", "thumb_key", "sha256")


def candidates(since: dt.date | None = None):
    images = Image.objects.stored().exclude(pk__in=Image.objects.purgeable().values("pk"))
    if since:
        images = images.filter(created_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min)))
    return images


def start_check(*, sample: int | None = None, since: dt.date | None = None) -> ArchiveCheck:
    images = candidates(since)
    if sample:
        ids = sorted(images.order_by("?").values_list("pk", flat=True)[:sample])
        return ArchiveCheck.objects.create(sample=sample, since=since, sample_ids=ids, last_id=ids[-1] if ids else 0)
    return ArchiveCheck.objects.create(since=since, last_id=images.aggregate(last=Max("pk"))["last"] or 0)


def resumable(check_id: int | None = None) -> ArchiveCheck | None:
    """The named run, or the latest one still running (stopped half-way)."""
    runs = ArchiveCheck.objects.filter(status=ArchiveCheck.Status.RUNNING)
    return runs.filter(pk=check_id).first() if check_id else runs.order_by("-started_at", "-id").first()


def run_check(check: ArchiveCheck, *, per_second: float, on_problem=lambda line: None) -> ArchiveCheck:
    """Check every image of `check` after its position; `on_problem(line)` hears each problem at once."""
    started = time.monotonic()
    seconds_before = check.seconds
    since_save, saved_at, next_at = 0, started, started
    images = candidates(check.since).filter(pk__lte=check.last_id).only(*CHECK_FIELDS).order_by("pk")
    if check.sample:
        images = images.filter(pk__in=check.sample_ids)
    while True:
        batch = list(images.filter(pk__gt=check.position)[:BATCH])
        if not batch:
            break
        for image in batch:
            if per_second > 0:
                next_at = _pace(next_at, per_second)
            for kind, detail in check_image(image, check):
                on_problem(check.add_problem(image.pk, kind, detail))
            check.position = image.pk
            check.checked += 1
            since_save += 1
            if since_save >= SAVE_EVERY or time.monotonic() - saved_at >= SAVE_SECONDS:
                check.seconds = seconds_before + time.monotonic() - started
                check.save()
                since_save, saved_at = 0, time.monotonic()
    check.status, check.finished_at = ArchiveCheck.Status.FINISHED, timezone.now()
    check.seconds = seconds_before + time.monotonic() - started
    check.save()
    log.info("archive check %s: %s", check.pk, check.summary())
    return check


def _pace(next_at: float, per_second: float) -> float:
    """Wait for this image's turn; answers the next one's."""
    wait = next_at - time.monotonic()
    if wait > 0:
        time.sleep(wait)  # pacing is the point: the check must not read faster than this
    return max(next_at, time.monotonic() - 1.0) + 1.0 / per_second


def check_image(image: Image, check: ArchiveCheck) -> list[tuple[str, str]]:
    """The problems of one stored image, as (kind, detail): original missing, sha256 mismatch, thumbnail missing."""
    problems = []
    if not image.storage_key or not default_storage.exists(image.storage_key):
        problems.append(("original missing", image.storage_key or "no storage key recorded"))
    else:
        digest, size = hashlib.sha256(), 0
        for chunk in storage.iter_key(image.storage_key):
            digest.update(chunk)
            size += len(chunk)
        check.bytes_read += size
        if digest.hexdigest() != image.sha256:
            problems.append(("sha256 mismatch", f"recorded {image.sha256[:12] or 'none'}…, "
                                                f"stored bytes {digest.hexdigest()[:12]}…, {size} bytes"))
    if not image.thumb_key:
        problems.append(("thumbnail missing", "none was recorded"))
    elif not default_storage.exists(image.thumb_key):
        problems.append(("thumbnail missing", image.thumb_key))
    return problems


def verify_sample() -> ArchiveCheck:
    """Beat's daily check: a random sample of the archive, paced."""
    check = start_check(sample=settings.STUDIO_VERIFY_SAMPLE)
    return run_check(check, per_second=settings.STUDIO_VERIFY_PER_SECOND)


def last_finished() -> ArchiveCheck | None:
    return ArchiveCheck.objects.filter(status=ArchiveCheck.Status.FINISHED).order_by("-finished_at", "-id").first()
