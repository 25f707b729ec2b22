"""Writes of review: request, decide, comment. Views check the rules on `ImageReview` and `Comment` first."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from studio.accounts.models import Membership
from studio.audit.services import record

from . import notification_services, webhook_events
from .models import Comment, ImageReview, Notification, mentioned_names

EVENT_FOR = {ImageReview.State.IN_REVIEW: "review.requested", ImageReview.State.APPROVED: "review.approved",
             ImageReview.State.CHANGES_REQUESTED: "review.changes_requested"}


class ReviewRefused(ValueError):
    """A move the review's state does not allow (approving what nobody asked to review, ...)."""


def review_of(image) -> ImageReview:
    return ImageReview.objects.filter(image=image).first() or ImageReview(image=image)


def move_review(image, *, user, to: str) -> ImageReview:
    """Request a review (→ in review) or decide one (→ approved / changes requested); a decision notifies
    the image's maker and whoever asked for the review."""
    with transaction.atomic():
        ImageReview.objects.get_or_create(image=image)
        review = ImageReview.objects.select_for_update().get(image=image)
        if not review.allows(to):
            raise ReviewRefused(f"This image is {review.get_state_display().lower()}: it cannot go to "
                                f"“{ImageReview.State(to).label.lower()}” from there.")
        now = timezone.now()
        review.state = to
        if to == ImageReview.State.IN_REVIEW:
            review.requested_by, review.requested_at = user, now
            review.decided_by = review.decided_at = None
        else:
            review.decided_by, review.decided_at = user, now
        review.save()
        label = ImageReview.State(to).label.lower()
        record(EVENT_FOR[to], actor=user, team=image.team, target=image, summary=f"image {image.pk}: {label}")
        if to == ImageReview.State.APPROVED:
            webhook_events.image_approved(image, by=user)
        if to != ImageReview.State.IN_REVIEW:
            told = [p for p in (image.owner, review.requested_by) if p is not None]
            notification_services.notify(recipients=told, actor=user, kind=Notification.Kind.REVIEW_DECISION,
                                         text=f"{user.get_username()}: image {image.pk} {label}",
                                         url=image.get_absolute_url())
    return review


def mentionable(image):
    """Who a comment on the image may mention: the people who can see it (its maker, its team)."""
    people = get_user_model().objects.filter(is_active=True)
    if image.team_id is None:
        return people.filter(pk=image.owner_id)
    team_people = Membership.objects.filter(team_id=image.team_id).values("user_id")
    return people.filter(pk__in=team_people) | people.filter(pk=image.owner_id)


def add_comment(image, *, user, body: str, link_base: str) -> Comment:
    """The comment, and a notification (and mail, if they want it) for each teammate it @mentions."""
    names = mentioned_names(body)
    with transaction.atomic():
        comment = Comment.objects.create(image=image, author=user, body=body)
        mentioned = list(mentionable(image).filter(username__in=names).exclude(pk=user.pk)) if names else []
        if mentioned:
            comment.mentions.set(mentioned)
        record("comment.added", actor=user, team=image.team, target=comment,
               summary=f"on image {image.pk}" + (f", mentioning {', '.join(p.username for p in mentioned)}"
                                                  if mentioned else ""))
        notifications = notification_services.notify(
            recipients=mentioned, actor=user, kind=Notification.Kind.MENTION,
            text=f"{user.get_username()} mentioned you on image {image.pk}", url=comment.get_absolute_url())
        notification_services.mail_mentions(notifications, link_base=link_base, body=body)
    return comment
