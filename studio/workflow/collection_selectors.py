"""Reads of collections. Their images always come through `Image.objects.visible_to(user)`; a share link
has its own door (`shared_collection`), which follows the image links' rule (`sharing.shareable_by`)."""
from django.db.models import F

from studio.accounts.models import Membership

from studio.gallery.models import Image
from studio.gallery.selectors import role_in_team
from studio.gallery.sharing import shareable_by

from .models import Collection, CollectionLink

LIMIT = 500  # images shown on one collection page


def visible_collections(user):
    return Collection.objects.visible_to(user).select_related("team")


def visible_collection(user, pk) -> Collection | None:
    return visible_collections(user).filter(pk=pk).first()


def editable_collections(user) -> list[Collection]:
    """The collections this person may add to (for the gallery's and the image page's menus): two queries."""
    collections = list(visible_collections(user))
    roles = dict(Membership.objects.filter(user=user, team_id__in={c.team_id for c in collections if c.team_id})
                 .values_list("team_id", "role")) if any(c.team_id for c in collections) else {}
    return [c for c in collections if c.can_edit(user, roles.get(c.team_id))]


def ordered_images(collection: Collection, images=None):
    images = Image.objects.all() if images is None else images
    return (images.filter(collection_items__collection=collection)
            .annotate(position=F("collection_items__position")).order_by("position", "id"))


def images_in(collection: Collection, user):
    """The collection's images this person may see, in the collection's order."""
    return list(ordered_images(collection, Image.objects.visible_to(user))[:LIMIT])


def shared_collection(token: str):
    """(link, collection, images) for a token whose link serves now; None otherwise (so: 404)."""
    key = CollectionLink.key_from_token(token)
    if key is None:
        return None
    link = CollectionLink.objects.live().select_related("collection", "created_by").filter(key=key).first()
    if link is None:
        return None
    collection = link.collection
    if not collection.can_share(link.created_by, role_in_team(link.created_by, collection.team_id)):
        return None
    images = shareable_by(link.created_by, list(ordered_images(collection).stored()[:LIMIT]))
    return link, collection, images


def live_links(collection: Collection) -> list[CollectionLink]:
    return list(collection.links.filter(revoked_at__isnull=True).select_related("created_by"))
