"""Invitations: a team owner asks someone, by email, to join the team with a role.

The link carries a random key that is shown only in the email; the row keeps its SHA-256 digest (the
key is 256 random bits, so a fast hash is right, as for API tokens). A link works once, for
STUDIO_INVITATION_DAYS (7) days, and not after its owner revoked it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .roles import Role


def invitation_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)

    def by_key(self, key: str):
        return self.filter(digest=invitation_digest(key or ""))


class Invitation(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.team} ({self.role})"

    @classmethod
    def new(cls, *, team, email: str, role: str, invited_by) -> tuple["Invitation", str]:
        """An unsaved invitation and its key, which exists only in the return value (and the email)."""
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        row = cls(team=team, email=email, role=role, invited_by=invited_by, digest=invitation_digest(key),
                  created_at=now, expires_at=now + timedelta(days=settings.STUDIO_INVITATION_DAYS))
        return row, key

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @staticmethod
    def url_for(key: str) -> str:
        return reverse("accounts:invitation", args=[key])
