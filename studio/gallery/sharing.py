"""Share links: the second door, for people without an account.

A link's URL carries its random key signed with SECRET_KEY (so a guessed or mangled token is refused
before the database is asked), and every request reads the row again, so revocation and expiry take
effect at once.
"""
from django.core import signing

from .models import Image, ShareLink

_SALT = "studio.gallery.share"


def sign_key(key: str) -> str:
    return signing.Signer(salt=_SALT).sign(key)


def unsign_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None


def shared_image(token: str) -> tuple[ShareLink, Image] | None:
    """The link and its image, if the token is genuine, the link is live and the image is not in the trash."""
    key = unsign_token(token)
    if key is None:
        return None
    link = (ShareLink.objects.live().select_related("image", "image__owner")
            .filter(key=key, image__deleted_at__isnull=True).first())
    if link is None:
        return None
    return link, link.image
