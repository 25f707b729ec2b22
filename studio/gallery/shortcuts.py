"""View helpers shared by every app's pages that show an image."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from . import selectors


def visible_image_or_404(user, pk: int):
    """The image through `visible_to`, or a 404: the same answer whether it exists or not."""
    image = selectors.visible_image(user, pk)
    if image is None:
        raise Http404("No such image.")
    return image


def safe_next(request, fallback: str) -> str:
    """The `next` of the request (POST or GET) when it points at this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def back_to(request, fallback: str):
    return redirect(safe_next(request, fallback))


def deny(request, image, text: str):
    messages.error(request, text)
    return redirect(image)
