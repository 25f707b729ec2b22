"""Writes to the archive: trash and restore, purge, moving between teams, favourites, tags, share links.

Views decide who may act (the rules live on `Image`); these functions do the work.
"""
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import storage
from .models import Favourite, Image, ShareLink, Tag

log = logging.getLogger(__name__)


def trash_image(image: Image, *, now=None) -> None:
    """Into the trash. Its share links end for good: restoring the image does not bring them back."""
    now = now or timezone.now()
    with transaction.atomic():
        if Image.objects.filter(pk=image.pk, deleted_at__isnull=True).update(deleted_at=now):
            ShareLink.objects.filter(image_id=image.pk, revoked_at__isnull=True).update(revoked_at=now)


def restore_image(image: Image) -> None:
    Image.objects.filter(pk=image.pk).update(deleted_at=None)


def purge_trash(*, now=None, batch: int = 500) -> int:
    """Remove images trashed longer than STUDIO_TRASH_DAYS ago: storage objects first, then rows.

    Objects go before rows so a crash half-way leaves rows pointing at nothing (purged again next
    run), never objects that no row remembers. Safe to run from beat, a command, or twice at once.
    """
    purged = 0
    while True:
        rows = list(Image.objects.purgeable(now).order_by("pk").values("pk", "storage_key", "thumb_key")[:batch])
        if not rows:
            return purged
        for row in rows:
            for key in (row["storage_key"], row["thumb_key"]):
                try:
                    storage.delete_key(key)
                except Exception:  # noqa: BLE001 - one unreachable object must not stop the purge
                    log.exception("purge: could not delete %s; the row stays for the next run", key)
                    break
            else:
                purged += Image.objects.filter(pk=row["pk"], deleted_at__isnull=False).delete()[1].get("gallery.Image", 0)
        if len(rows) < batch:
            return purged


def move_image(image: Image, team) -> None:
    """Share with `team` (or make private with None). Tags belong to a scope, so they stay behind;
    a share link keeps working only while its creator may share the image where it is now
    (`ShareLink.serves`). The storage key keeps its old prefix: the DB owns keys, and moving bytes
    would make a move slow and fallible for nothing."""
    with transaction.atomic():
        if image.team_id != (team.pk if team else None):
            image.tags.clear()
        Image.objects.filter(pk=image.pk).update(team=team)
    image.team = team


def set_favourite(user, image: Image, on: bool) -> None:
    if on:
        Favourite.objects.get_or_create(user=user, image=image)
    else:
        Favourite.objects.filter(user=user, image=image).delete()


def add_tag(image: Image, name: str) -> Tag | None:
    name = Tag.clean_name(name)
    if not name:
        return None
    scope = {"team_id": image.team_id} if image.team_id else {"owner_id": image.owner_id}
    tag, _ = Tag.objects.get_or_create(name=name, **scope)
    image.tags.add(tag)
    return tag


def remove_tag(image: Image, tag_id: int) -> None:
    image.tags.remove(*image.tags.filter(pk=tag_id))


def create_share_link(image: Image, *, user, expires_in_days: int | None = None) -> ShareLink:
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    return ShareLink.objects.create(image=image, created_by=user, expires_at=expires_at)


def revoke_share_link(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
