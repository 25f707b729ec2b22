"""Collections: list and create, a collection's page (reorder by drag or keyboard, remove), adding images
from a gallery's selection or an image page, and the read-only share link's page for a client."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from studio.accounts.models import teams_where_user_can_create
from studio.gallery.models import Image
from studio.gallery.selectors import role_in_team
from studio.gallery.serving import behind_a_link, serve_key
from studio.gallery.shortcuts import back_to

from .. import batch_selectors
from .. import collection_selectors as selectors
from .. import collection_services as services

MAX_IDS = 500


def _collection_or_404(request, collection_id):
    collection = selectors.visible_collection(request.user, collection_id)
    if collection is None:
        raise Http404("No such collection.")
    role = role_in_team(request.user, collection.team_id)
    return collection, role


def _id(value) -> int:
    """A posted id, or 0 (which names nothing) for a missing or mangled one."""
    return (_ids([value]) or [0])[0]


def _ids(values) -> list[int]:
    found = []
    for value in values[:MAX_IDS]:
        try:
            found.append(int(value))
        except (TypeError, ValueError):
            continue
    return found


@login_required
def collection_list(request):
    teams = teams_where_user_can_create(request.user)
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        team = None
        if request.POST.get("team"):
            team = teams.filter(pk=_id(request.POST["team"])).first()
            if team is None:
                messages.error(request, "Choose a team you make work in, or Only me.")
                return redirect("workflow:collections")
        if not name or len(name) > 100:
            messages.error(request, "Give the collection a name of 1 to 100 characters.")
            return redirect("workflow:collections")
        collection = services.create_collection(user=request.user, team=team, name=name)
        return redirect(collection)
    return render(request, "workflow/collections.html",
                  {"collections": selectors.visible_collections(request.user), "teams": teams})


@login_required
def collection_detail(request, collection_id):
    collection, role = _collection_or_404(request, collection_id)
    can_share = collection.can_share(request.user, role)
    return render(request, "workflow/collection.html", {
        "collection": collection, "images": selectors.images_in(collection, request.user),
        "can_edit": collection.can_edit(request.user, role), "can_share": can_share,
        "can_delete": collection.can_delete(request.user, role), "now": timezone.now(),
        "links": selectors.live_links(collection) if can_share else []})


def _editable_or_refuse(request, collection, role):
    if collection.can_edit(request.user, role):
        return None
    messages.error(request, "Viewers can look at a team's collections but not change them.")
    return redirect(collection)


@login_required
@require_POST
def collection_add(request):
    """Add the ticked images of a gallery (`ids`), or one image from its page, to the chosen collection."""
    collection, role = _collection_or_404(request, _id(request.POST.get("collection")))
    refusal = _editable_or_refuse(request, collection, role)
    if refusal:
        return refusal
    ids = _ids(request.POST.getlist("ids"))
    images = list(Image.objects.visible_to(request.user).filter(pk__in=ids))
    if not images:
        messages.error(request, "Tick the images to add first.")
        return back_to(request, collection.get_absolute_url())
    by_pk = {image.pk: image for image in images}
    added = services.add_images(collection, [by_pk[pk] for pk in ids if pk in by_pk], user=request.user)
    skipped = len(images) - added
    messages.success(request, f"Added {added} image{'s' if added != 1 else ''} to {collection.name}"
                     + (f" ({skipped} already there)." if skipped else "."))
    return back_to(request, collection.get_absolute_url())


@login_required
@require_POST
def batch_to_collection(request, batch_id):
    """Every stored picture of a batch that this person may see, in the batch's row order, into a collection."""
    batch = batch_selectors.visible_batch(request.user, batch_id)
    if batch is None:
        raise Http404("No such batch.")
    collection, role = _collection_or_404(request, _id(request.POST.get("collection")))
    refusal = _editable_or_refuse(request, collection, role)
    if refusal:
        return refusal
    images = list(batch_selectors.batch_images(request.user, batch))
    if not images:
        messages.error(request, "This batch has no stored pictures you may see yet.")
        return redirect(batch)
    added = services.add_images(collection, images, user=request.user)
    skipped = len(images) - added
    messages.success(request, f"Added {added} picture{'s' if added != 1 else ''} of batch {batch.pk} to "
                     f"{collection.name}" + (f" ({skipped} already there)." if skipped else "."))
    return redirect(collection)


@login_required
@require_POST
def collection_remove(request, collection_id, image_id):
    collection, role = _collection_or_404(request, collection_id)
    refusal = _editable_or_refuse(request, collection, role)
    if refusal:
        return refusal
    if not Image.objects.visible_to(request.user).filter(pk=image_id).exists():
        raise Http404("No such image.")
    services.remove_image(collection, image_id, user=request.user)
    messages.success(request, "Removed from the collection (the image itself stays).")
    return redirect(collection)


@login_required
@require_POST
def collection_order(request, collection_id):
    """The whole order after a drag (`ids`, as the page shows them), or one step (`image`, `step`)."""
    collection, role = _collection_or_404(request, collection_id)
    refusal = _editable_or_refuse(request, collection, role)
    if refusal:
        return refusal
    visible = [image.pk for image in selectors.images_in(collection, request.user)]
    if request.POST.get("image"):
        step = -1 if request.POST.get("step") == "up" else 1
        services.move_image(collection, _id(request.POST["image"]), step, user=request.user, visible_ids=visible)
    else:
        services.reorder(collection, [pk for pk in _ids(request.POST.getlist("ids")) if pk in set(visible)],
                         user=request.user)
    if request.headers.get("X-Requested-With") == "fetch":
        return render(request, "workflow/_saved.html", {})
    return redirect(collection)


@login_required
@require_POST
def collection_delete(request, collection_id):
    collection, role = _collection_or_404(request, collection_id)
    if not collection.can_delete(request.user, role):
        messages.error(request, "Only its maker or the team's owners can delete this collection.")
        return redirect(collection)
    services.delete_collection(collection, user=request.user)
    messages.success(request, "Collection deleted; its images stay where they were.")
    return redirect("workflow:collections")


@login_required
@require_POST
def collection_share(request, collection_id):
    collection, role = _collection_or_404(request, collection_id)
    if not collection.can_share(request.user, role):
        messages.error(request, "Viewers can look at a team's collections but not share them.")
        return redirect(collection)
    days = max(0, min(_id(request.POST.get("days")), 365))
    link = services.create_link(collection, user=request.user, expires_in_days=days or None)
    messages.success(request, "Link created: anyone with it sees the collection's images and prompts, read-only.")
    return redirect(f"{collection.get_absolute_url()}#link-{link.pk}")


@login_required
@require_POST
def collection_revoke(request, collection_id, collection_link_id):
    collection, role = _collection_or_404(request, collection_id)
    link = collection.links.filter(pk=collection_link_id, revoked_at__isnull=True).first()
    if link is None or not collection.can_share(request.user, role):
        raise Http404("No such link.")
    services.revoke_link(link, user=request.user)
    messages.success(request, "Link revoked.")
    return redirect(collection)


# --- the share link's door --------------------------------------------------------------------------


def _shared_or_404(token):
    found = selectors.shared_collection(token)
    if found is None:
        raise Http404("This link does not work (it may have been revoked or have expired).")
    return found


def shared_collection(request, token):
    link, collection, images = _shared_or_404(token)
    return behind_a_link(render(request, "workflow/shared_collection.html",
                           {"link": link, "collection": collection, "images": images, "token": token}))


def _shared_image(token, image_id):
    _, _, images = _shared_or_404(token)
    for image in images:
        if image.pk == image_id:
            return image
    raise Http404("No such image in this collection.")


def shared_collection_file(request, token, image_id):
    image = _shared_image(token, image_id)
    return behind_a_link(serve_key(image.storage_key, content_type=image.content_type))


def shared_collection_thumb(request, token, image_id):
    image = _shared_image(token, image_id)
    return behind_a_link(serve_key(image.thumb_key, content_type="image/webp"))
