"""Personal API tokens: how a script signs in to Studio's own Images API (`Authorization: Bearer ...`).

A token is `stu_<lookup>_<secret>`: the lookup part finds the row by index, the secret is compared as a
SHA-256 digest in constant time. A fast hash is right here: the secret is 256 random bits, so there
is nothing to guess and nothing for a slow hash to protect. The whole token is shown once, when it is
made, and never stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

TOKEN_PREFIX = "stu_"
LOOKUP_LENGTH = 10
# last_used_at is written at most this often per token, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    # The team the token's jobs are charged to and shared with; empty: private to the person.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lookup = models.CharField(max_length=LOOKUP_LENGTH, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # `token revoke USERNAME NAME` names one token: names are unique among a person's live tokens.
            models.UniqueConstraint(fields=["user", "name"], condition=Q(revoked_at__isnull=True),
                                    name="one_live_token_name_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def hint(self) -> str:
        """What a page may show to tell tokens apart: the lookup part, never the secret."""
        return f"{TOKEN_PREFIX}{self.lookup}_…"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @classmethod
    def new(cls, *, user, name: str, team=None, expires_at=None) -> tuple["ApiToken", str]:
        """An unsaved token and its plaintext (`stu_<lookup>_<secret>`), which exists only in the return value."""
        lookup = secrets.token_hex(LOOKUP_LENGTH // 2)
        secret = secrets.token_urlsafe(32)
        row = cls(user=user, name=name, team=team, lookup=lookup, digest=_digest(secret), expires_at=expires_at)
        return row, f"{TOKEN_PREFIX}{lookup}_{secret}"

    @classmethod
    def parse(cls, raw: str) -> tuple[str, str] | None:
        """(lookup, secret) of a well-formed token; None for anything else."""
        raw = (raw or "").strip()
        if not raw.startswith(TOKEN_PREFIX):
            return None
        lookup, sep, secret = raw[len(TOKEN_PREFIX):].partition("_")
        if not sep or len(lookup) != LOOKUP_LENGTH or not secret:
            return None
        return lookup, secret

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.digest, _digest(secret))

    def touch(self, now=None) -> None:
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
