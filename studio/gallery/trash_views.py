"""The trash: moving an image there (asked first), the trash page, restoring, and the page an owner
gets when they open an image that is in their trash."""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from studio.confirming import confirm_page

from . import hooks, selectors, services
from .models import Image
from .serving import serve_key
from .shortcuts import back_to, deny, safe_next, visible_image_or_404
from .views_bytes import bytes_view


@login_required
def trash(request):
    page = selectors.trash_page(request.user, request.GET.get("after"))
    next_query = urlencode({"after": page.next_cursor}) if page.next_cursor else None
    return render(request, "gallery/trash.html", {"images": page.items, "page": page, "next_query": next_query,
                                                  "trash_days": settings.STUDIO_TRASH_DAYS})


@bytes_view
def trash_thumb(request, pk):
    image = Image.objects.in_trash_of(request.user).filter(pk=pk).only("id", "thumb_key").first()
    if image is None:
        raise Http404("No such image in your trash.")
    return serve_key(image.thumb_key, content_type="image/webp")


def in_trash_or_404(request, pk):
    """An image page that `visible_to` refused: its owner is told it is in their trash (with Restore);
    everyone else gets the 404 a missing image gets, so nobody learns that a private image exists."""
    image = Image.objects.in_trash_of(request.user).filter(pk=pk).first()
    if image is None:
        raise Http404("No such image.")
    return render(request, "gallery/in_trash.html", {"image": image, "trash_days": settings.STUDIO_TRASH_DAYS},
                  status=404)


def _undo_message(request, image) -> str:
    """The flash message after trashing, with an Undo that restores the image and comes back to it."""
    return format_html(
        'Image {} moved to the trash. '
        '<form method="post" action="{}" class="message-action"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><input type="hidden" name="next" value="{}"><button type="submit" class="link">Undo</button>'
        '</form>',
        image.pk, reverse("gallery:restore", args=[image.pk]), get_token(request), image.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    image = visible_image_or_404(request.user, pk)
    if not image.can_manage(request.user):
        return deny(request, image, "Only the person who made this image can delete it.")
    refusal = hooks.trash_refusal(image, request.user, selectors.role_in_team(request.user, image.team_id))
    if refusal:  # a higher layer's rule, e.g. an approved image stays out of the trash (workflow's review)
        return deny(request, image, refusal)
    if request.method == "GET":
        return confirm_page(
            request, question=f"Move image {image.pk} to the trash?", button="Move to trash",
            detail=f"Its share links stop working at once. You can restore it from the trash for "
                   f"{settings.STUDIO_TRASH_DAYS} days; after that it is removed for good.",
            cancel_url=safe_next(request, image.get_absolute_url()), hidden={"next": request.GET.get("next", "")})
    services.trash_image(image, actor=request.user)
    messages.success(request, _undo_message(request, image))
    return back_to(request, reverse("gallery:mine"))


@login_required
@require_POST
def restore(request, pk):
    image = Image.objects.in_trash_of(request.user).filter(pk=pk).first()
    if image is None:
        raise Http404("No such image in your trash.")
    services.restore_image(image, actor=request.user)
    messages.success(request, "Restored.")
    return back_to(request, reverse("gallery:trash"))
