"""Collections: named, ordered sets of images (an image may be in many), personal or a team's, and their
read-only share links for people without an account."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from studio.gallery.models import RevocableLink

from .scoped import TeamScoped


class Collection(TeamScoped):
    """Its images are read through `Image.objects.visible_to` on top of `Collection.objects.visible_to`:
    a collection never shows anyone more than that."""

    name = models.CharField(max_length=100)
    images = models.ManyToManyField("gallery.Image", through="CollectionItem", related_name="collections")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:collection", args=[self.pk])

    def can_share(self, user, role: str | None) -> bool:
        """Make a link for a client: whoever may edit it (what the link shows is further cut to the images
        its creator may share, `sharing.shareable_by`)."""
        return user.is_active and self.can_edit(user, role)


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
