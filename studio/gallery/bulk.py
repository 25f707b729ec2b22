"""Actions on many images at once, from a gallery's selection, and the trash's restore-all and delete-forever.

Each image is checked by the same rule as its own page uses (`Image.can_*`, the trash guards), and changed
by the same service, so each image's audit trail reads as if it had been changed on its own page: a bulk
move of five images is five `image.moved` events, each in the trail of the team it left or joined.
What a person may not change is skipped and counted, never half-done.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core import signing

from studio.accounts.models import Membership, Team, teams_where_user_can_create

from . import hooks, services, storage
from .models import Image

UNDO_SALT = "studio.gallery.bulk-undo"
UNDO_SECONDS = 15 * 60
MAX_IMAGES = 500

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    done: list = field(default_factory=list)  # the images changed
    skipped: int = 0  # seen but not theirs to change this way
    undo: str = ""  # a signed token that puts a move back


def _roles(user, images) -> dict:
    teams = {image.team_id for image in images if image.team_id}
    return dict(Membership.objects.filter(user=user, team_id__in=teams).values_list("team_id", "role"))


def selected(user, ids) -> list[Image]:
    """The selection, through `visible_to` (an id someone may not see is simply not there)."""
    return list(Image.objects.visible_to(user).filter(pk__in=list(ids)[:MAX_IMAGES]).select_related("team"))


def move(user, images, team: Team | None) -> Outcome:
    """Into `team` (one they may create in) or private (None); answers an undo token for the moved ones."""
    roles, outcome, before = _roles(user, images), Outcome(), []
    for image in images:
        allowed = image.can_manage(user) if team is not None else image.can_make_private(user, roles.get(image.team_id))
        if not allowed:
            outcome.skipped += 1
            continue
        if image.team_id == (team.pk if team else None):
            continue
        before.append((image.pk, image.team_id))
        services.move_image(image, team, actor=user)
        outcome.done.append(image)
    if before:
        outcome.undo = signing.dumps({"user": user.pk, "moves": before}, salt=UNDO_SALT, compress=True)
    return outcome


def undo_move(user, token: str) -> Outcome:
    """Put each image of a bulk move back where it was, while the person may still do so (within 15 minutes)."""
    try:
        data = signing.loads(token, salt=UNDO_SALT, max_age=UNDO_SECONDS)
    except signing.BadSignature:
        raise ValueError("This undo is too old or not genuine; move the images back by hand.") from None
    if data.get("user") != user.pk:
        raise ValueError("This undo belongs to someone else.")
    back_to = dict(data["moves"])
    creatable = {team.pk: team for team in teams_where_user_can_create(user).filter(pk__in=set(back_to.values()) - {None})}
    outcome = Outcome()
    for image in selected(user, back_to):
        old = back_to[image.pk]
        if not image.can_manage(user) or (old is not None and old not in creatable):
            outcome.skipped += 1
            continue
        services.move_image(image, creatable.get(old), actor=user)
        outcome.done.append(image)
    return outcome


def trash(user, images) -> Outcome:
    roles, outcome = _roles(user, images), Outcome()
    for image in images:
        if not image.can_manage(user) or hooks.trash_refusal(image, user, roles.get(image.team_id)):
            outcome.skipped += 1
            continue
        services.trash_image(image, actor=user)
        outcome.done.append(image)
    return outcome


def tag(user, images, name: str) -> Outcome:
    roles, outcome = _roles(user, images), Outcome()
    for image in images:
        if not image.can_tag(user, roles.get(image.team_id)):
            outcome.skipped += 1
            continue
        if services.add_tag(image, name) is not None:
            outcome.done.append(image)
    return outcome


def favourite(user, images, on: bool) -> Outcome:
    """Stars are personal: anyone who may see an image may star it."""
    for image in images:
        services.set_favourite(user, image, on)
    return Outcome(done=list(images))


# --- the trash ----------------------------------------------------------------------------------------


def restore_all(user) -> int:
    restored = 0
    for image in Image.objects.in_trash_of(user).order_by("pk")[:MAX_IMAGES * 10]:
        services.restore_image(image, actor=user)
        restored += 1
    return restored


def delete_forever(user, ids=None) -> int:
    """Purge now, rather than after STUDIO_TRASH_DAYS, images in the person's own trash (all, or `ids`):
    objects first, then rows, as the daily purge does."""
    trashed = Image.objects.in_trash_of(user)
    if ids is not None:
        trashed = trashed.filter(pk__in=list(ids)[:MAX_IMAGES])
    purged = 0
    for image in trashed.select_related("team").order_by("pk"):
        try:
            for key in (image.storage_key, image.thumb_key):
                storage.delete_key(key)
        except Exception:  # noqa: BLE001 - storage away: the row stays in the trash, the daily purge retries
            log.exception("delete forever: could not delete the files of image %s; it stays in the trash", image.pk)
            continue
        purged += services.purge_row(image, actor=user)
    return purged
