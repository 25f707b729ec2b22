from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .serving import serve_key

PAGE_SIZE = 60


@login_required
def my_images(request):
    images = list(selectors.my_images(request.user)[:PAGE_SIZE])
    return render(request, "gallery/list.html", {"images": images, "title": "My images"})


def _image_or_404(request, pk):
    image = selectors.visible_image(request.user, pk)
    if image is None:
        raise Http404("No such image.")  # the same answer whether it exists or not
    return image


@login_required
def image_detail(request, pk):
    image = _image_or_404(request, pk)
    return render(request, "gallery/detail.html", {"image": image})


@login_required
def image_file(request, pk):
    image = _image_or_404(request, pk)
    return serve_key(image.storage_key, content_type=image.content_type, filename=f"studio-{image.pk}.{image.extension}")


@login_required
def image_thumb(request, pk):
    image = _image_or_404(request, pk)
    return serve_key(image.thumb_key, content_type="image/webp")
