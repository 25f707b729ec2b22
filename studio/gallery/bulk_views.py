"""A gallery's selection in one go (move, make private, tag, star, trash), undo of a bulk move, and the
trash's restore-all and delete-forever. Export and "add to collection" take the same selection in their
own views (the ticked boxes belong to the export form; static/studio/ticked-ids.js lends them to others)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from studio.accounts.models import teams_where_user_can_create

from . import bulk
from .shortcuts import back_to


def _ids(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("ids")[:bulk.MAX_IMAGES] if value.isdigit()]


def _plural(count: int) -> str:
    return f"{count} image{'s' if count != 1 else ''}"


def _say(request, outcome, did: str) -> None:
    text = f"{did.capitalize()} {_plural(len(outcome.done))}."
    if outcome.skipped:
        text += f" {_plural(outcome.skipped)} left as they were: not yours to change this way."
    messages.success(request, text)


@login_required
def bulk_tools(request):
    """The gallery's bulk toolbar, fetched after the page (static/studio/fragments.js), so a gallery page
    costs no query for it; it carries the undo of the last bulk move, once."""
    return render(request, "gallery/_bulk_tools.html", {
        "move_targets": teams_where_user_can_create(request.user).order_by("name"),
        "next": request.GET.get("next", ""), "undo": request.session.pop("bulk_undo", None)})


@login_required
@require_POST
def bulk_action(request):
    images = bulk.selected(request.user, _ids(request))
    if not images:
        messages.error(request, "Tick the images first (click, Shift+click for a range, or Space on a focused box).")
        return back_to(request, "gallery:mine")
    action = request.POST.get("action", "")
    if action == "move":
        target = request.POST.get("team", "")
        team = None
        if target:
            team = teams_where_user_can_create(request.user).filter(pk=target if target.isdigit() else 0).first()
            if team is None:
                messages.error(request, "You can move images only into teams where you may create.")
                return back_to(request, "gallery:mine")
        outcome = bulk.move(request.user, images, team)
        _say(request, outcome, f"moved to {team.name}:" if team else "made private:")
        if outcome.undo:
            request.session["bulk_undo"] = {"token": outcome.undo, "count": len(outcome.done)}
    elif action == "tag":
        name = request.POST.get("tag", "").strip()
        if not name:
            messages.error(request, "Write the tag to add.")
            return back_to(request, "gallery:mine")
        _say(request, bulk.tag(request.user, images, name), f"tagged “{name}”:")
    elif action in ("favourite", "unfavourite"):
        _say(request, bulk.favourite(request.user, images, action == "favourite"),
             "starred" if action == "favourite" else "unstarred")
    elif action == "trash":
        _say(request, bulk.trash(request.user, images), "moved to the trash:")
    else:
        messages.error(request, "Choose what to do with the ticked images.")
    return back_to(request, "gallery:mine")


@login_required
@require_POST
def bulk_undo(request):
    request.session.pop("bulk_undo", None)
    try:
        outcome = bulk.undo_move(request.user, request.POST.get("token", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        _say(request, outcome, "put back:")
    return back_to(request, "gallery:mine")


@login_required
@require_POST
def restore_all(request):
    restored = bulk.restore_all(request.user)
    messages.success(request, f"Restored {_plural(restored)}.")
    return redirect("gallery:trash")


@login_required
@require_POST
def delete_forever(request):
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick “I understand they cannot come back” to delete forever.")
        return redirect("gallery:trash")
    ids = _ids(request) if request.POST.get("scope") != "all" else None
    purged = bulk.delete_forever(request.user, ids)
    messages.success(request, f"Deleted {_plural(purged)} forever.")
    return redirect("gallery:trash")
