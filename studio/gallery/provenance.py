"""The post-store step: read an original's content credentials and perceptual hash, once.

The fetch path sends `read_provenance` after a successful store (`queue_provenance`); it runs on its
own, after commit, so it neither slows a download racing its URL deadline nor holds the fetch lease.
It reads the object back from storage (the original, byte for byte) into a temporary file, and is
idempotent: a row with `provenance_read_at` set is done. Rows whose message was lost are caught up by
beat (`catch_up`) and by `manage.py backfill_provenance` for archives older than this step.
"""
from __future__ import annotations

import logging
import tempfile
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import storage
from .credentials import read_credentials
from .imaging import extension_for
from .models import Image, ImageFingerprint
from .similar import perceptual_hash

log = logging.getLogger(__name__)

READ_PROVENANCE = "studio.gallery.tasks.read_provenance"


class ObjectMissing(Exception):
    """Storage has no bytes under the image's key (yet, or any more)."""


def queue_provenance(image_id: int) -> None:
    """Send `read_provenance` once the current transaction (if any) commits; a lost send is caught up."""
    def send():
        try:
            current_app.tasks[READ_PROVENANCE].apply_async(
                (image_id,), priority=settings.STUDIO_PRIORITY_PROVENANCE, retry=False)
        except Exception as exc:  # noqa: BLE001 - broker trouble; beat's catch-up reads it later
            log.warning("image %s: could not send read_provenance (%s); the catch-up will", image_id, exc)

    transaction.on_commit(send, robust=True)


def due():
    """Stored images whose provenance has not been read, oldest id first (partial index image_provenance_due)."""
    return Image.objects.filter(status=Image.Status.STORED, provenance_read_at__isnull=True).order_by("pk")


def record_provenance(image_id: int, *, force: bool = False) -> bool:
    """Read and keep the credentials summary and fingerprint of one stored image; False if nothing to do."""
    image = (Image.objects.filter(pk=image_id, status=Image.Status.STORED)
             .only("id", "storage_key", "content_type", "provenance_read_at").first())
    if image is None or not image.storage_key or (image.provenance_read_at and not force):
        return False
    with tempfile.NamedTemporaryFile(suffix="." + extension_for(image.content_type)) as copy:
        written = 0
        for chunk in storage.iter_key(image.storage_key):
            copy.write(chunk)
            written += len(chunk)
        if not written:
            raise ObjectMissing(f"image {image_id}: storage has nothing under {image.storage_key}")
        copy.flush()
        summary = read_credentials(copy.name, image.content_type)
        unsigned_hash = perceptual_hash(copy.name)
    with transaction.atomic():
        still_due = Image.objects.filter(pk=image_id, status=Image.Status.STORED)
        if not force:
            still_due = still_due.filter(provenance_read_at__isnull=True)
        if not still_due.update(credentials=summary, has_credentials=summary.get("present", False),
                                provenance_read_at=timezone.now()):
            return False  # another delivery got there first, or the image left the archive
        if unsigned_hash is not None:
            ImageFingerprint.objects.update_or_create(image_id=image_id,
                                                      defaults=ImageFingerprint.columns(unsigned_hash))
    return True


def backfill(*, batch: int = 200, pause: float = 0.0, limit: int | None = None, older_than=None,
             newer_than=None, progress=None) -> int:
    """Read every due image, `batch` at a time with `pause` seconds between batches; returns how many.

    Resumable by construction: done rows leave `due()`, so a stopped run starts where it stopped.
    An image whose object is missing or whose read fails is skipped (and stays due), never looped on.
    """
    done = 0
    after = 0
    while limit is None or done < limit:
        rows = due().filter(pk__gt=after)
        if older_than is not None:
            rows = rows.filter(stored_at__lt=older_than)
        if newer_than is not None:
            rows = rows.filter(stored_at__gte=newer_than)
        ids = list(rows.values_list("pk", flat=True)[: batch if limit is None else min(batch, limit - done)])
        if not ids:
            break
        for pk in ids:
            try:
                done += record_provenance(pk)
            except Exception as exc:  # noqa: BLE001 - one unreadable object must not stop the backfill
                log.warning("provenance of image %s not read: %s", pk, exc)
        after = ids[-1]
        if progress:
            progress(done, after)
        if pause:
            time.sleep(pause)  # pacing: leave storage and the database to the live traffic
    return done


def catch_up(*, limit: int = 500) -> int:
    """Beat's hourly pass: images stored in the last two days (over ten minutes ago) never read.

    The window keeps an image that cannot be read (its object lost) from being retried for ever
    ahead of new ones; older archives are the backfill command's.
    """
    now = timezone.now()
    return backfill(limit=limit, older_than=now - timedelta(minutes=10), newer_than=now - timedelta(days=2))
