"""Share links: the second door, for people without an account.

A token names a live link (not revoked, not expired) whose image is not in the trash; the token's
signature and the row's checks live on `ShareLink`.
"""
from .models import Image, ShareLink


def shared_image(token: str) -> tuple[ShareLink, Image] | None:
    """The link and its image, if the token is genuine, the link is live and the image is not in the trash."""
    key = ShareLink.key_from_token(token)
    if key is None:
        return None
    link = (ShareLink.objects.live().select_related("image", "image__owner")
            .filter(key=key, image__deleted_at__isnull=True).first())
    if link is None:
        return None
    return link, link.image
