"""Writes to the archive: trash and restore, purge, moving between teams, favourites, tags, share links.

Views decide who may act (the rules live on `Image`); these functions do the work, and write the
audit trail for the changes a company must be able to account for (`actor` is the person who acted;
None is a system action, such as beat's purge).
"""
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from studio.accounts.models import Team
from studio.audit.services import record

from . import storage
from .models import Favourite, Image, ShareLink, Tag

log = logging.getLogger(__name__)


def trash_image(image: Image, *, actor=None, now=None) -> None:
    """Into the trash. Its share links end for good: restoring the image does not bring them back."""
    now = now or timezone.now()
    with transaction.atomic():
        if Image.objects.filter(pk=image.pk, deleted_at__isnull=True).update(deleted_at=now):
            ShareLink.objects.filter(image_id=image.pk, revoked_at__isnull=True).update(revoked_at=now)
            record("image.trashed", actor=actor, team=image.team, target=image, summary=_described(image))


def restore_image(image: Image, *, actor=None) -> None:
    with transaction.atomic():
        if Image.objects.filter(pk=image.pk, deleted_at__isnull=False).update(deleted_at=None):
            record("image.restored", actor=actor, team=image.team, target=image, summary=_described(image))


def _described(image: Image) -> str:
    return f"{image.model} image: {image.prompt[:120]}"


def purge_trash(*, now=None, batch: int = 500) -> int:
    """Remove images trashed longer than STUDIO_TRASH_DAYS ago: storage objects first, then rows.

    Objects go before rows so a crash half-way leaves rows pointing at nothing (purged again next
    run), never objects that no row remembers. Safe to run from beat, a command, or twice at once.
    """
    purged = 0
    while True:
        rows = list(Image.objects.purgeable(now).order_by("pk")
                    .values("pk", "storage_key", "thumb_key", "team_id", "team__name", "model", "prompt")[:batch])
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
                purged += _purge_row(row)
        if len(rows) < batch:
            return purged


def _purge_row(row: dict, actor=None) -> int:
    with transaction.atomic():
        gone = Image.objects.filter(pk=row["pk"], deleted_at__isnull=False).delete()[1].get("gallery.Image", 0)
        if gone:
            record("image.purged", actor=actor, team=_team_stub(row["team_id"], row["team__name"]),
                   object_type="image", object_id=row["pk"], summary=f"{row['model']} image: {row['prompt'][:120]}")
    return gone


def purge_row(image: Image, *, actor) -> int:
    """A trashed image's row goes for good now (its owner's "Delete forever"; storage objects first)."""
    return _purge_row({"pk": image.pk, "team_id": image.team_id, "team__name": image.team.name if image.team else "",
                       "model": image.model, "prompt": image.prompt}, actor=actor)


def _team_stub(team_id, name):
    """The event names the team by key and name; the row is being deleted, so no query for the team."""
    return Team(pk=team_id, name=name) if team_id else None


def move_image(image: Image, team, *, actor=None) -> None:
    """Share with `team` (or make private with None). Tags belong to a scope, so they stay behind;
    a share link keeps working only while its creator may share the image where it is now
    (`ShareLink.serves`). The storage key keeps its old prefix: the DB owns keys, and moving bytes
    would make a move slow and fallible for nothing."""
    old_team = image.team
    with transaction.atomic():
        if image.team_id == (team.pk if team else None):
            return
        image.tags.clear()
        Image.objects.filter(pk=image.pk).update(team=team)
        if team is None:
            summary = f"made private (was shared with {old_team.name})"
        else:
            summary = f"shared with {team.name}" + (f" (was shared with {old_team.name})" if old_team else "")
        # The team that lost it sees a move out of it; the team that gained it, a move in.
        record("image.moved", actor=actor, team=team or old_team, target=image, summary=summary)
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
    with transaction.atomic():
        link = ShareLink.objects.create(image=image, created_by=user, expires_at=expires_at)
        until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "until revoked"
        record("share_link.created", actor=user, team=image.team, target=link,
               summary=f"link to image {image.pk}, {until}")
    return link


def revoke_share_link(link: ShareLink, *, actor=None) -> None:
    with transaction.atomic():
        if ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            record("share_link.revoked", actor=actor, team=link.image.team, target=link,
                   summary=f"link to image {link.image_id}")


def record_export(*, user, scope: str, team=None, filters: dict | None = None) -> None:
    """An export leaves Studio with a copy of the images and their prompts: say who took what."""
    shown = ", ".join(f"{key}={value}" for key, value in sorted((filters or {}).items()))
    record("export.downloaded", actor=user, team=team, object_type="export", object_id=scope,
           summary=f"ZIP of {scope}" + (f" ({shown})" if shown else ""))
