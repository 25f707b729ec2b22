"""Writes to collections: create, add images, remove, reorder, delete, and their share links.

Views check the rules on `Collection` first and pass only images that went through `visible_to`.
"""
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from studio.audit.services import record

from .models import Collection, CollectionItem, CollectionLink


def create_collection(*, user, team, name: str) -> Collection:
    if team is not None and not team.lets_spend(user):
        raise PermissionError(f"{user} may not add collections to {team}: viewers only look.")
    with transaction.atomic():
        collection = Collection.objects.create(owner=user, team=team, name=name)
        record("collection.created", actor=user, team=team, target=collection, summary=f"{name!r} for {collection.scope}")
    return collection


def add_images(collection: Collection, images, *, user) -> int:
    """Append the images not in it yet, in the order given; answers how many were added."""
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()  # one writer of positions at a time
        present = set(collection.items.values_list("image_id", flat=True))
        new = [image for image in dict.fromkeys(images) if image.pk not in present]
        if not new:
            return 0
        start = (collection.items.aggregate(last=Max("position"))["last"] or 0) + 1
        CollectionItem.objects.bulk_create([CollectionItem(collection=collection, image=image, position=start + i,
                                                           added_by=user) for i, image in enumerate(new)])
        record("collection.images_added", actor=user, team=collection.team, target=collection,
               summary=f"{len(new)} image(s) to {collection.name!r}: {', '.join(str(i.pk) for i in new[:20])}")
    return len(new)


def remove_image(collection: Collection, image_id: int, *, user) -> bool:
    with transaction.atomic():
        removed, _ = collection.items.filter(image_id=image_id).delete()
        if removed:
            record("collection.image_removed", actor=user, team=collection.team, target=collection,
                   summary=f"image {image_id} from {collection.name!r}")
    return bool(removed)


def reorder(collection: Collection, image_ids: list[int], *, user) -> bool:
    """Put the named images first, in that order; the others keep their order after them. Images a person
    cannot see keep their place relative to each other (they are never named by their page)."""
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        items = list(collection.items.order_by("position", "id"))
        by_image = {item.image_id: item for item in items}
        named = [by_image[pk] for pk in dict.fromkeys(image_ids) if pk in by_image]
        rest = [item for item in items if item not in named]
        ordered = named + rest
        if [item.pk for item in ordered] == [item.pk for item in items]:
            return False
        for position, item in enumerate(ordered, start=1):
            item.position = position
        CollectionItem.objects.bulk_update(ordered, ["position"])
        record("collection.reordered", actor=user, team=collection.team, target=collection,
               summary=f"{collection.name!r}: {', '.join(str(item.image_id) for item in ordered[:20])}")
    return True


def move_image(collection: Collection, image_id: int, offset: int, *, user, visible_ids: list[int]) -> bool:
    """One step up (-1) or down (+1) among the images this person sees (the keyboard's and no-JS way)."""
    order = list(visible_ids)
    if image_id not in order:
        return False
    at = order.index(image_id)
    to = max(0, min(len(order) - 1, at + offset))
    if to == at:
        return False
    order.insert(to, order.pop(at))
    return reorder(collection, order, user=user)


def delete_collection(collection: Collection, *, user) -> None:
    with transaction.atomic():
        record("collection.deleted", actor=user, team=collection.team, target=collection,
               summary=f"{collection.name!r} ({collection.items.count()} image(s); the images stay)")
        collection.delete()


def create_link(collection: Collection, *, user, expires_in_days: int | None = None) -> CollectionLink:
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        link = CollectionLink.objects.create(collection=collection, created_by=user, expires_at=expires_at)
        until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "until revoked"
        record("collection_link.created", actor=user, team=collection.team, target=link,
               summary=f"link to collection {collection.pk} {collection.name!r}, {until}")
    return link


def revoke_link(link: CollectionLink, *, user) -> None:
    with transaction.atomic():
        if CollectionLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            record("collection_link.revoked", actor=user, team=link.collection.team, target=link,
                   summary=f"link to collection {link.collection_id}")
