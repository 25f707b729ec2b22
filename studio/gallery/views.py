"""Archive pages. Each view parses, authorizes through `visible_to` (or the share-link door), then
reads through a selector or calls one service.

Who sees what: an image nobody let you see is a 404 whether it exists or not. Pages send someone
who is not signed in to the sign-in page; byte URLs (file, thumbnail) answer them 404, because a
browser fetching an <img> cannot follow a sign-in anyway.
"""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from studio.accounts.models import teams_where_user_can_create
from studio.accounts.selectors import teams_with_roles

from . import selectors, services, sharing, trash_views
from .export import stream_zip
from .models import Image
from .serving import serve_key
from .views_bytes import bytes_view
from .shortcuts import back_to, deny, visible_image_or_404


def _my_team_or_404(request, slug):
    """The team and this person's role in it; a team they are not in is a 404 like a missing one."""
    found = selectors.my_team(request.user, slug)
    if found is None:
        raise Http404("No such team.")
    return found


def _grid_context(request, *, page, filters, title, **extra):
    next_query = None
    if page.next_cursor:
        next_query = urlencode({**{k: v for k, v in request.GET.items() if k != "after"}, "after": page.next_cursor})
    return {"images": page.items, "page": page, "next_query": next_query, "filters": filters, "title": title,
            "model_names": selectors.models_in_archive(request.user), "teams": selectors.teams_of(request.user), **extra}


# --- galleries ------------------------------------------------------------------------------------


@login_required
def my_images(request):
    filters = selectors.Filters.from_query(request.GET)
    page = selectors.gallery_page(request.user, selectors.my_images(request.user), filters, request.GET.get("after"))
    return render(request, "gallery/list.html", _grid_context(
        request, page=page, filters=filters, title="My images", export_url=reverse("gallery:export"),
        history_url=reverse("generation:history")))


@login_required
def teams(request):
    """The person's teams, each with its gallery, prompt history and members."""
    return render(request, "gallery/teams.html", {"memberships": teams_with_roles(request.user)})


@login_required
def team_gallery(request, slug):
    team, role = _my_team_or_404(request, slug)
    filters = selectors.Filters.from_query(request.GET)
    page = selectors.gallery_page(request.user, selectors.team_images(request.user, team), filters,
                                  request.GET.get("after"))
    return render(request, "gallery/list.html", _grid_context(
        request, page=page, filters=filters, title=f"{team.name} gallery", team=team, role=role,
        people=selectors.people_of(team), export_url=reverse("gallery:export") + "?" + urlencode({"team": team.slug}),
        history_url=reverse("generation:team_history", args=[team.slug])))


@login_required
def search(request):
    query = request.GET.get("q", "")
    filters = selectors.Filters.from_query(request.GET)
    page = selectors.search_page(request.user, query, request.GET.get("after"), filters=filters) if query.strip() \
        else selectors.Page([], None)
    return render(request, "gallery/search.html", _grid_context(
        request, page=page, filters=filters, title="Search", query=query))


# --- one image ------------------------------------------------------------------------------------


@login_required
def image_detail(request, pk):
    image = selectors.visible_image(request.user, pk)
    if image is None:
        return trash_views.in_trash_or_404(request, pk)
    role = selectors.role_in_team(request.user, image.team_id)
    can_share = image.can_share(request.user, role)
    return render(request, "gallery/detail.html", {
        "image": image,
        "role": role,
        "ancestors": selectors.ancestors(request.user, image),
        "children": selectors.children(request.user, image),
        "is_favourite": selectors.is_favourite(request.user, image),
        "tags": list(image.tags.all()),
        "can_manage": image.can_manage(request.user),
        "can_tag": image.can_tag(request.user, role),
        "can_share": can_share,
        "can_remove_from_team": image.can_remove_from_team(request.user, role),
        "share_links": sharing.links_shown(image) if can_share else [],
        "move_targets": list(teams_where_user_can_create(request.user)) if image.can_manage(request.user) else [],
        "now": timezone.now(),
        "trash_days": settings.STUDIO_TRASH_DAYS,
    })


@login_required
def image_family(request, pk):
    image = visible_image_or_404(request.user, pk)
    return render(request, "gallery/family.html", {"image": image, "family": selectors.family(request.user, image)})


@bytes_view
def image_file(request, pk):
    image = selectors.image_for_bytes(request.user, pk)
    if image is None:
        raise Http404("No such image.")
    return serve_key(image.storage_key, content_type=image.content_type, filename=f"studio-{image.pk}.{image.extension}")


@bytes_view
def image_thumb(request, pk):
    image = selectors.image_for_bytes(request.user, pk)
    if image is None:
        raise Http404("No such image.")
    return serve_key(image.thumb_key, content_type="image/webp")


# --- changes --------------------------------------------------------------------------------------


# What each change needs (a rule on Image, given the person and their role in the image's team), and
# what a person who may see the image but not change it is told.
_CHANGES = {
    "tag": ("can_tag", "Viewers can look at this image but not tag it."),
    "untag": ("can_tag", "Viewers can look at this image but not change its tags."),
    "share": ("can_share", "Only the person who made this image or the team's owner can share it by link."),
    "revoke": ("can_share", "Only the person who made this image or the team's owner can revoke its links."),
    "unshare": ("can_make_private",
                "Only the person who made this image or the team's owner can take it out of the team."),
    "move": ("can_manage", "Only the person who made this image can move it."),
}


def image_for_change(request, pk, change: str):
    """(image, None) when this person may make `change` to the image; (image, refusal) when they may
    only see it. An image they may not see is a 404, as everywhere."""
    image = visible_image_or_404(request.user, pk)
    rule, refusal = _CHANGES[change]
    role = selectors.role_in_team(request.user, image.team_id)
    if getattr(image, rule)(request.user, role):
        return image, None
    return image, deny(request, image, refusal)


@login_required
@require_POST
def favourite(request, pk):
    image = visible_image_or_404(request.user, pk)  # anyone who may see it may star it: stars are personal
    services.set_favourite(request.user, image, request.POST.get("on") == "1")
    return back_to(request, image.get_absolute_url())


@login_required
@require_POST
def add_tag(request, pk):
    image, refusal = image_for_change(request, pk, "tag")
    if refusal:
        return refusal
    services.add_tag(image, request.POST.get("name", ""))
    return redirect(image)


@login_required
@require_POST
def remove_tag(request, pk, tag_id):
    image, refusal = image_for_change(request, pk, "untag")
    if refusal:
        return refusal
    services.remove_tag(image, tag_id)
    return redirect(image)


@login_required
@require_POST
def move(request, pk):
    target = request.POST.get("team", "")
    if target == "":
        image, refusal = image_for_change(request, pk, "unshare")
        if refusal:
            return refusal
        old_team = image.team
        services.move_image(image, None, actor=request.user)
        if image.can_manage(request.user):
            messages.success(request, "The image is private now.")
            return redirect(image)
        # A team owner took someone else's image out: it is no longer theirs to see.
        messages.success(request, f"Removed from {old_team.name}; it is private to {image.owner.get_username()} now.")
        return redirect("gallery:team", old_team.slug)
    image, refusal = image_for_change(request, pk, "move")
    if refusal:
        return refusal
    team = teams_where_user_can_create(request.user).filter(pk=target).first()
    if team is None:
        return deny(request, image, "You can move images only into teams where you may create.")
    services.move_image(image, team, actor=request.user)
    messages.success(request, f"Shared with {team.name}.")
    return redirect(image)


# --- export ---------------------------------------------------------------------------------------


@login_required
def export(request):
    """A ZIP of a gallery (mine, or ?team=slug, with the gallery's filters) or of a selection (?ids=)."""
    queryset = Image.objects.visible_to(request.user)
    scope, team = "my-images", None
    ids = [int(v) for v in request.GET.getlist("ids") if v.isdigit()]
    if ids:
        queryset = queryset.filter(pk__in=ids)
        scope = "selection"
    elif request.GET.get("team"):
        team, _ = _my_team_or_404(request, request.GET["team"])
        queryset = queryset.filter(team=team)
        scope = team.slug
    else:
        queryset = queryset.filter(owner=request.user)
    filters = selectors.Filters.from_query(request.GET)
    queryset = filters.apply(queryset, request.user)
    services.record_export(user=request.user, scope=scope, team=team,
                           filters={**filters.raw, **({"images": len(ids)} if ids else {})})
    images = queryset.select_related("owner", "team", "job").order_by("-created_at", "-id").iterator(chunk_size=200)
    response = StreamingHttpResponse(stream_zip(images, user=request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="studio-{scope}-{timezone.now():%Y%m%d-%H%M}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- compare two ticked images ----------------------------------------------------------------------


@login_required
def compare_selected(request):
    """The galleries' "Compare the two selected": ?ids=a&ids=b to the compare page, older image first.

    Both ids go through `visible_to`; an image this person may not see is a 404 like everywhere else.
    """
    ids = {int(v) for v in request.GET.getlist("ids") if v.isdigit()}
    if len(ids) != 2:
        messages.info(request, "Tick exactly two images to compare them.")
        found = selectors.my_team(request.user, request.GET["team"]) if request.GET.get("team") else None
        return redirect("gallery:team", found[0].slug) if found else redirect("gallery:mine")
    visible = sorted(Image.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != 2:
        raise Http404("No such image.")
    return redirect("generation:compare", visible[0], visible[1])
