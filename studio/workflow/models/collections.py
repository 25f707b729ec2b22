"""Collections: named, ordered sets of images (an image may be in many), personal or a team's, and their
read-only share links for people without an account."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from studio.accounts.models import Membership
from studio.gallery.models import RevocableLink


class CollectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Your personal collections and your teams' (any role looks). The images in them are read
        through `Image.objects.visible_to` on top of this: a collection never shows more than that."""
        if not user.is_authenticated:
            return self.none()
        teams = Membership.objects.filter(user=user).values("team_id")
        return self.filter(models.Q(team__isnull=True, owner=user) | models.Q(team_id__in=teams))


class Collection(models.Model):
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="collections")
    created_at = models.DateTimeField(default=timezone.now)
    images = models.ManyToManyField("gallery.Image", through="CollectionItem", related_name="collections")

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:collection", args=[self.pk])

    @property
    def scope(self) -> str:
        return self.team.name if self.team_id else "Only me"

    def can_edit(self, user, role: str | None) -> bool:
        """Add, remove, reorder: its maker for a personal one; the team's members and owners for a team's."""
        if self.team_id is None:
            return self.owner_id == user.pk
        return role in Membership.CREATOR_ROLES

    def can_share(self, user, role: str | None) -> bool:
        """Make a link for a client: whoever may edit it (what the link shows is further cut to the images
        its creator may share, `sharing.shareable_by`)."""
        return user.is_active and self.can_edit(user, role)

    def can_delete(self, user, role: str | None) -> bool:
        if self.team_id is None:
            return self.owner_id == user.pk
        return role == Membership.Role.OWNER or (self.owner_id == user.pk and role in Membership.CREATOR_ROLES)


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    image = models.ForeignKey("gallery.Image", on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "image"], name="image_once_per_collection")]
        indexes = [models.Index(fields=["collection", "position"])]


class CollectionLink(RevocableLink):
    """A read-only link to a collection. It serves while live and while its creator may still share the
    collection; it shows only the images its creator may share today, by the image links' rule."""

    SIGNING_SALT = "studio.workflow.collection-share"

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="links")

    class Meta(RevocableLink.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("workflow:shared_collection", args=[self.token])
