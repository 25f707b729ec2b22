"""Review and comments on the image page (the panel itself is the `image_page` slot)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from studio.gallery.selectors import role_in_team
from studio.gallery.shortcuts import visible_image_or_404

from .. import review_services
from ..models import Comment, ImageReview

DECISIONS = {ImageReview.State.APPROVED, ImageReview.State.CHANGES_REQUESTED}


@login_required
@require_POST
def move_review(request, pk):
    image = visible_image_or_404(request.user, pk)
    role = role_in_team(request.user, image.team_id)
    to = request.POST.get("to", "")
    if to == ImageReview.State.IN_REVIEW:
        allowed = ImageReview.can_request(image, request.user, role)
        refusal = "Only the image's maker and its team's members and owners can ask for a review."
    elif to in DECISIONS:
        allowed = ImageReview.can_decide(image, request.user, role)
        refusal = "Only the team's members and owners, other than its maker, can decide a review."
    else:
        allowed, refusal = False, "Choose a review step."
    if not allowed:
        messages.error(request, refusal)
        return redirect(f"{image.get_absolute_url()}#review")
    try:
        review = review_services.move_review(image, user=request.user, to=to)
    except review_services.ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Review: {review.get_state_display().lower()}.")
    return redirect(f"{image.get_absolute_url()}#review")


@login_required
@require_POST
def add_comment(request, pk):
    image = visible_image_or_404(request.user, pk)
    if not Comment.can_add(image, request.user, role_in_team(request.user, image.team_id)):
        messages.error(request, "Viewers can read the comments but not add one.")
        return redirect(f"{image.get_absolute_url()}#comments")
    body = request.POST.get("body", "").strip()
    if not body or len(body) > Comment.MAX_LENGTH:
        messages.error(request, f"Write a comment of 1 to {Comment.MAX_LENGTH} characters.")
        return redirect(f"{image.get_absolute_url()}#comments")
    comment = review_services.add_comment(image, user=request.user, body=body,
                                          link_base=request.build_absolute_uri("/"))
    return redirect(comment)
