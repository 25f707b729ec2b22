"""The audit event: one row per thing a person did that a company may need to account for.

Append-only: a row is never changed, and never deleted except by the retention purge
(`AuditEvent.objects.purge_before(cutoff)`). Actor and team are kept by name as well as by key, so an
event still says who and where after the person or the team is gone.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    """Audit events cannot be edited or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted; the retention purge removes old ones.")

    def purge_before(self, cutoff) -> int:
        """The one way rows leave: older than `cutoff` (STUDIO_AUDIT_DAYS, run by beat)."""
        old = models.QuerySet(self.model, using=self.db).filter(time__lt=cutoff)
        return old._raw_delete(old.db)

    def for_team(self, team):
        return self.filter(team=team)


class AuditEvent(models.Model):
    time = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team_name = models.CharField(max_length=100, blank=True, default="")
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    summary = models.CharField(max_length=500, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["team", "-time", "-id"], name="audit_team_time"),
            models.Index(fields=["actor", "-time"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        who = self.actor_name or "system"
        return f"{self.time:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type} {self.object_id}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")
