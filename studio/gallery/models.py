import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from studio.accounts.models import Membership, owned_by_or_shared_with

from .imaging import extension_for

LIVE = models.Q(deleted_at__isnull=True)


class ImageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The only door for reading someone's images.

        Your own images, and images shared with a team you belong to (any role). Trashed images
        are out of sight here; the trash view asks for them explicitly through `in_trash_of`.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(owned_by_or_shared_with(user), deleted_at__isnull=True)

    def in_trash_of(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user, deleted_at__isnull=False)

    def stored(self):
        return self.filter(status=Image.Status.STORED)

    def purgeable(self, now=None):
        """Trashed longer ago than STUDIO_TRASH_DAYS: the purge may remove rows and bytes."""
        cutoff = (now or timezone.now()) - timedelta(days=settings.STUDIO_TRASH_DAYS)
        return self.filter(deleted_at__lt=cutoff)


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

    # Provenance, read by the worker after the original is stored (provenance.py): the summary of the
    # picture's C2PA manifest store ({} until read; {"present": false} when it carries none).
    credentials = models.JSONField(default=dict, blank=True)
    has_credentials = models.BooleanField(default=False)
    provenance_read_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    stored_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    tags = models.ManyToManyField("gallery.Tag", blank=True, related_name="images")

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Galleries walk (created_at, id) backwards from a cursor, inside one owner or one team, and
        # only over live rows: partial indexes keep the trash out of them. The full-text GIN index
        # is PostgreSQL-only and lives in migration 0004.
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="image_owner_live", condition=LIVE),
            models.Index(fields=["team", "-created_at", "-id"], name="image_team_live", condition=LIVE),
            models.Index(fields=["owner", "deleted_at"], name="image_owner_trash",
                         condition=models.Q(deleted_at__isnull=False)),
            models.Index(fields=["status", "url_expires_at"], name="image_status_deadline"),
            models.Index(fields=["parent"], name="image_parent"),
            # The provenance backfill walks stored images not yet read, by id; once read they leave it.
            models.Index(fields=["id"], name="image_provenance_due",
                         condition=models.Q(status="stored", provenance_read_at__isnull=True)),
        ]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_image_per_job_slot")]

    def __str__(self) -> str:
        return f"Image {self.pk} ({self.model}, {self.status})"

    def get_absolute_url(self) -> str:
        return reverse("gallery:image", args=[self.pk])

    @property
    def extension(self) -> str:
        return extension_for(self.content_type)

    @property
    def is_stored(self) -> bool:
        return self.status == self.Status.STORED

    @property
    def alt_text(self) -> str:
        return (self.prompt or "Generated image")[:200]

    def url_is_alive(self, now=None) -> bool:
        return bool(self.url_expires_at and (now or timezone.now()) < self.url_expires_at)

    @property
    def purge_after(self):
        if self.deleted_at is None:
            return None
        return self.deleted_at + timedelta(days=settings.STUDIO_TRASH_DAYS)

    # --- rules: who may change what. `role` is the person's role in the image's team (or None). ---

    def is_owned_by(self, user) -> bool:
        return user.is_authenticated and self.owner_id == user.pk

    def can_manage(self, user, role: str | None = None) -> bool:
        """Delete, restore, move: the person who made it (whatever their role in the team)."""
        return self.is_owned_by(user)

    def can_remove_from_team(self, user, role: str | None) -> bool:
        """A team's owner may take an image out of the team (it goes back to being private)."""
        return self.team_id is not None and (self.is_owned_by(user) or role == Membership.Role.OWNER)

    def can_make_private(self, user, role: str | None) -> bool:
        """Its maker may always make it private; a team's owner may take it out of the team."""
        return self.can_manage(user) or self.can_remove_from_team(user, role)

    def can_tag(self, user, role: str | None) -> bool:
        """Tags belong to the team (or to the owner of a private image); viewers look, they do not label."""
        if self.is_owned_by(user):
            return True
        return self.team_id is not None and role in Membership.CREATOR_ROLES

    def can_share(self, user, role: str | None) -> bool:
        return self.is_owned_by(user) or (self.team_id is not None and role == Membership.Role.OWNER)


class ImageFingerprint(models.Model):
    """An image's 64-bit perceptual hash, cut into four 16-bit bands that are indexed for "Similar images".

    Two hashes within Hamming distance 6 differ in at most 6 bits spread over the four bands, so at
    least one band differs in at most one bit (were each off by two or more, that is 8 bits already).
    A search therefore probes every band at its own value and its 16 one-bit neighbours: 4 x 17 index
    lookups find every hash within 6, and the exact distance is then checked on the few candidates.
    """

    BANDS = 4
    BAND_BITS = 16

    image = models.OneToOneField(Image, primary_key=True, on_delete=models.CASCADE, related_name="fingerprint")
    phash = models.BigIntegerField()  # the unsigned 64-bit hash, stored as its two's-complement value
    band0 = models.IntegerField()
    band1 = models.IntegerField()
    band2 = models.IntegerField()
    band3 = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=[f"band{i}"], name=f"fingerprint_band{i}") for i in range(4)]

    @staticmethod
    def columns(unsigned_hash: int) -> dict:
        """The row's values for an unsigned 64-bit hash."""
        signed = unsigned_hash - (1 << 64) if unsigned_hash >= 1 << 63 else unsigned_hash
        mask = (1 << ImageFingerprint.BAND_BITS) - 1
        bands = {f"band{i}": (unsigned_hash >> (ImageFingerprint.BAND_BITS * i)) & mask
                 for i in range(ImageFingerprint.BANDS)}
        return {"phash": signed, **bands}

    @property
    def unsigned(self) -> int:
        return self.phash & ((1 << 64) - 1)


class Favourite(models.Model):
    """One person's star on one image; private to that person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "image"], name="one_favourite_per_person")]


class Tag(models.Model):
    """A label in a scope: a team's tags for team images, a person's own tags for private images."""

    name = models.CharField(max_length=50)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="tags")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="tags")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(team__isnull=False, owner__isnull=True) | models.Q(team__isnull=True, owner__isnull=False)),
                name="tag_has_one_scope",
            ),
            models.UniqueConstraint(fields=["team", "name"], name="one_tag_name_per_team",
                                    condition=models.Q(team__isnull=False)),
            models.UniqueConstraint(fields=["owner", "name"], name="one_tag_name_per_owner",
                                    condition=models.Q(owner__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def clean_name(raw: str) -> str:
        return " ".join(raw.strip().lower().split())[:50]


def new_share_key() -> str:
    return secrets.token_urlsafe(18)


class ShareLinkQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class RevocableLink(models.Model):
    """A link for people without an account: its URL carries `key` signed with SECRET_KEY under the
    subclass's SIGNING_SALT (so a guessed or mangled token is refused before the database is asked); the
    row is read on every request, so revoking or expiring it takes effect at once. Image share links
    (below) and collection share links (workflow) are the two kinds."""

    SIGNING_SALT = ""

    key = models.CharField(max_length=40, unique=True, default=new_share_key)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def token(self) -> str:
        return signing.Signer(salt=self.SIGNING_SALT).sign(self.key)

    @classmethod
    def key_from_token(cls, token: str) -> str | None:
        """The key a genuine token carries; None for a forged or mangled one."""
        try:
            return signing.Signer(salt=cls.SIGNING_SALT).unsign(token)
        except signing.BadSignature:
            return None


class ShareLink(RevocableLink):
    """A revocable link that shows one image to someone without an account.

    It serves while live and while anything that takes its creator's right to share away has not
    happened (`serves`).
    """

    SIGNING_SALT = "studio.gallery.share"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="share_links")

    class Meta(RevocableLink.Meta):
        pass

    def creator_may_share(self, creator_role: str | None) -> bool:
        """Whether the person who made the link could make it now: their account still works, and
        `Image.can_share` holds for them with `creator_role`, their role in the image's team *today*
        (the image may have moved, they may have left the team or lost the owner role)."""
        return self.created_by.is_active and self.image.can_share(self.created_by, creator_role)

    def serves(self, creator_role: str | None, now=None) -> bool:
        """Whether the link shows its image now: live, its image not in the trash, its creator still entitled."""
        return self.is_live(now) and self.image.deleted_at is None and self.creator_may_share(creator_role)

    def get_absolute_url(self) -> str:
        return reverse("gallery:shared", args=[self.token])
