"""Share links: the second door, for people without an account.

A token names a link that serves: genuine (signed), live (not revoked, not expired), its image not in
the trash, and its creator could still make it today (`ShareLink.serves`). The creator's right is
checked on every request rather than when something changes, so no path (a move, a role changed in
the admin, a membership removed) can leave a link working that its creator could no longer make.
"""
from studio.accounts.models import Membership

from .models import Image, ShareLink
from .selectors import role_in_team


def shared_image(token: str) -> tuple[ShareLink, Image] | None:
    """The link and its image if the token names a link that serves now; None otherwise (so: 404)."""
    key = ShareLink.key_from_token(token)
    if key is None:
        return None
    link = (ShareLink.objects.live().select_related("image", "created_by")
            .filter(key=key, image__deleted_at__isnull=True).first())
    if link is None or not link.serves(role_in_team(link.created_by, link.image.team_id)):
        return None
    return link, link.image


def links_shown(image: Image) -> list[ShareLink]:
    """The links the image page lists: not revoked, made by someone who could still make them (expired
    ones are listed as expired). Two queries whatever the number of links."""
    links = list(image.share_links.filter(revoked_at__isnull=True).select_related("created_by"))
    roles = {}
    if image.team_id and links:
        creators = {link.created_by_id for link in links}
        memberships = Membership.objects.filter(team_id=image.team_id, user_id__in=creators)
        roles = dict(memberships.values_list("user_id", "role"))
    return [link for link in links if link.creator_may_share(roles.get(link.created_by_id))]


def shareable_by(creator, images) -> list[Image]:
    """The images a link made by `creator` may show today, by the rule image links follow: not in the
    trash, the creator's account works, and `Image.can_share` holds for them with their role *today* in
    each image's team. For links that show many images (a collection's); two queries for any number."""
    images = [image for image in images if image.deleted_at is None]
    if not creator.is_active or not images:
        return []
    teams = {image.team_id for image in images if image.team_id}
    roles = dict(Membership.objects.filter(user=creator, team_id__in=teams).values_list("team_id", "role"))
    return [image for image in images if image.can_share(creator, roles.get(image.team_id))]
