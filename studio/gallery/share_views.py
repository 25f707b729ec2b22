"""Share links: making and revoking them (asked first), and the door for people without an account."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from studio.confirming import confirm_page

from . import services, sharing
from .models import ShareLink
from .serving import behind_a_link, serve_key
from .views import image_for_change


@login_required
@require_POST
def create_share_link(request, pk):
    image, refusal = image_for_change(request, pk, "share")
    if refusal:
        return refusal
    try:
        days = int(request.POST.get("days") or 0)
    except ValueError:
        days = 0
    link = services.create_share_link(image, user=request.user, expires_in_days=max(0, min(days, 365)) or None)
    messages.success(request, "Share link created: anyone with it sees this image and its prompt until you revoke it.")
    return redirect(f"{image.get_absolute_url()}#share-{link.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def revoke_share_link(request, pk, link_id):
    image, refusal = image_for_change(request, pk, "revoke")
    if refusal:
        return refusal
    link = ShareLink.objects.filter(pk=link_id, image=image).first()
    if link is None:
        raise Http404("No such link.")
    if request.method == "GET":
        return confirm_page(request, question=f"Revoke this link to image {image.pk}?", button="Revoke link",
                            detail="Whoever has the link sees a \u201crevoked\u201d page from now on. "
                                   "This cannot be undone; you can make a new link.",
                            cancel_url=image.get_absolute_url())
    services.revoke_share_link(link, actor=request.user)
    messages.success(request, "Link revoked: it no longer shows the image.")
    return redirect(image)


# --- the door for people without an account ---------------------------------------------------------


def _shared_or_404(token):
    found = sharing.shared_image(token)
    if found is None:
        raise Http404("This link does not exist, has expired or was revoked.")
    return found


def shared_page(request, token):
    """The shared image, or a page that says the link no longer works: the same page for a link that
    was revoked, expired, or never existed, so a token tells nobody more than it shows."""
    found = sharing.shared_image(token)
    if found is None:
        return behind_a_link(render(request, "gallery/link_gone.html", status=404))
    link, image = found
    return behind_a_link(render(request, "gallery/shared.html", {"image": image, "link": link, "token": token}))


def shared_file(request, token):
    _, image = _shared_or_404(token)
    return behind_a_link(serve_key(image.storage_key, content_type=image.content_type))


def shared_thumb(request, token):
    _, image = _shared_or_404(token)
    return behind_a_link(serve_key(image.thumb_key, content_type="image/webp"))
