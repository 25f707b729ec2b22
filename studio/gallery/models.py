import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ImageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The only door for reading someone's images.

        Your own images, and images shared with a team you belong to (any role). Trashed images
        are out of sight here; the trash view asks for them explicitly through `in_trash_of`.
        A subquery rather than a join keeps this free of DISTINCT, which matters at a million rows.
        """
        if not user.is_authenticated:
            return self.none()
        from studio.accounts.models import Membership

        my_teams = Membership.objects.filter(user=user).values("team_id")
        return self.filter(models.Q(owner=user) | models.Q(team_id__in=my_teams), deleted_at__isnull=True)

    def in_trash_of(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user, deleted_at__isnull=False)

    def stored(self):
        return self.filter(status=Image.Status.STORED)


class Image(models.Model):
    """One picture the API returned, from its provider URL (or b64 bytes) to its home in storage."""

    class Status(models.TextChoices):
        PENDING = "pending", "Downloading"
        STORED = "stored", "Stored"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired before download"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images")
    # Shared with this team when set; private to the owner when empty.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="images")
    job = models.ForeignKey("generation.Job", on_delete=models.CASCADE, related_name="images")
    index = models.PositiveSmallIntegerField(default=0)  # position in the API's `data` list
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    # Copied from the job so that galleries, filters and search never need a join.
    model = models.CharField(max_length=100)
    prompt = models.TextField(blank=True, default="")
    revised_prompt = models.TextField(blank=True, default="")
    params = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    source_url = models.TextField(blank=True, default="")  # where to fetch from; never the image's home
    url_expires_at = models.DateTimeField(null=True, blank=True)
    spool_path = models.CharField(max_length=500, blank=True, default="")
    fetch_attempts = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True, default="")

    storage_key = models.CharField(max_length=300, blank=True, default="")
    thumb_key = models.CharField(max_length=300, blank=True, default="")
    content_type = models.CharField(max_length=50, blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumb_width = models.PositiveIntegerField(null=True, blank=True)
    thumb_height = models.PositiveIntegerField(null=True, blank=True)
    byte_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")

    created_at = models.DateTimeField(default=timezone.now)
    stored_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="image_owner_recent"),
            models.Index(fields=["team", "-created_at", "-id"], name="image_team_recent"),
            models.Index(fields=["status", "url_expires_at"], name="image_status_deadline"),
            models.Index(fields=["parent"], name="image_parent"),
        ]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_image_per_job_slot")]

    def __str__(self) -> str:
        return f"Image {self.pk} ({self.model}, {self.status})"

    def get_absolute_url(self) -> str:
        return reverse("gallery:image", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/webp": "webp", "image/jpeg": "jpg", "image/gif": "gif"}.get(
            self.content_type, "png"
        )

    @property
    def is_stored(self) -> bool:
        return self.status == self.Status.STORED

    @property
    def alt_text(self) -> str:
        return (self.prompt or "Generated image")[:200]

    def url_is_alive(self, now=None) -> bool:
        return bool(self.url_expires_at and (now or timezone.now()) < self.url_expires_at)
