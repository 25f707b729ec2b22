"""`url` results: a Studio link to the stored original that works without a session.

The link carries the image and the token that made it, signed with SECRET_KEY the way share links are
(django.core.signing), so a mangled link is refused before the database is asked. It serves while the
token is not revoked, the image is not in the trash and the token's person may still see it, and, when
STUDIO_GATEWAY_URL_DAYS is set, for that many days after it was made.
"""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from studio.accounts.tokens import ApiToken
from studio.gallery.download_views import original_response
from studio.gallery.models import Image
from studio.gallery.serving import behind_a_link

SIGNING_SALT = "studio.gateway.image"


def sign(image: Image, token: ApiToken | None) -> str:
    return signing.dumps([image.pk, token.pk if token else 0], salt=SIGNING_SALT)


def image_url(base_url: str, image: Image, token: ApiToken | None) -> str:
    return base_url.rstrip("/") + reverse("gateway:image", args=[sign(image, token)])


def linked_image(signed: str) -> Image | None:
    max_age = settings.STUDIO_GATEWAY_URL_DAYS * 86400 if settings.STUDIO_GATEWAY_URL_DAYS > 0 else None
    try:
        image_pk, token_pk = signing.loads(signed, salt=SIGNING_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
        return None
    token = ApiToken.objects.select_related("user").filter(pk=token_pk, revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    return Image.objects.visible_to(token.user).filter(pk=image_pk).first()


def image_view(request, signed):
    image = linked_image(signed)
    if image is None:
        raise Http404("This link does not exist, has expired, or its token was revoked.")
    return behind_a_link(original_response(image))
