"""Reads of images. Every one starts from `Image.objects.visible_to(user)`."""
from .models import Image


def my_images(user):
    return Image.objects.visible_to(user).filter(owner=user).select_related("owner")


def visible_image(user, pk: int) -> Image | None:
    return Image.objects.visible_to(user).select_related("owner", "team", "job").filter(pk=pk).first()
