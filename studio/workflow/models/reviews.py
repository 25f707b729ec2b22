"""Review of an image (none → in review → approved / changes requested) and comments with @mentions.

Review belongs to team work: a private image has no reviewers. The rules about who may move a review
and who may comment live here, on the rows; views ask them with the person's role in the image's team.
"""
import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from studio.accounts.models import Membership

MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def mentioned_names(body: str) -> list[str]:
    return list(dict.fromkeys(name.rstrip(".") for name in MENTION.findall(body)))


class ReviewState(models.TextChoices):
    NONE = "none", "Not reviewed"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class ImageReview(models.Model):
    """An image's review state, with who moved it last and when (the audit trail keeps every move)."""

    State = ReviewState
    # Where each state may go, and whether the move is a request (anyone who makes) or a decision.
    REQUEST_FROM = (State.NONE, State.CHANGES_REQUESTED, State.APPROVED)
    DECIDE_FROM = (State.IN_REVIEW,)

    image = models.OneToOneField("gallery.Image", on_delete=models.CASCADE, primary_key=True, related_name="review")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NONE, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Review of image {self.image_id}: {self.state}"

    @staticmethod
    def can_request(image, user, role: str | None) -> bool:
        """Ask the team to review: the maker, and the team's members and owners (viewers only look)."""
        return image.team_id is not None and (image.is_owned_by(user) or role in Membership.CREATOR_ROLES)

    @staticmethod
    def can_decide(image, user, role: str | None) -> bool:
        """Approve or ask for changes: the team's members and owners, never the maker on their own work."""
        return image.team_id is not None and role in Membership.CREATOR_ROLES and not image.is_owned_by(user)

    def allows(self, target: str) -> bool:
        if target == self.State.IN_REVIEW:
            return self.state in self.REQUEST_FROM
        return target in (self.State.APPROVED, self.State.CHANGES_REQUESTED) and self.state in self.DECIDE_FROM


class Comment(models.Model):
    image = models.ForeignKey("gallery.Image", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")

    MAX_LENGTH = 5000

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["image", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on image {self.image_id}"

    def get_absolute_url(self) -> str:
        return reverse("gallery:image", args=[self.image_id]) + f"#comment-{self.pk}"

    @staticmethod
    def can_add(image, user, role: str | None) -> bool:
        """The maker, and the members and owners of the image's team; viewers read the conversation."""
        return image.is_owned_by(user) or (image.team_id is not None and role in Membership.CREATOR_ROLES)
