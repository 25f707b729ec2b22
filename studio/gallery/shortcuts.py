"""View helpers shared by every app's pages that show an image."""
from django.http import Http404

from . import selectors


def visible_image_or_404(user, pk: int):
    """The image through `visible_to`, or a 404: the same answer whether it exists or not."""
    image = selectors.visible_image(user, pk)
    if image is None:
        raise Http404("No such image.")
    return image
