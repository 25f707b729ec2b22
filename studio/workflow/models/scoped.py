"""What presets and collections share: each is one person's, or a team's, with the same rules of who sees
and who changes it."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from studio.accounts.models import Membership


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Your personal ones and those of every team you belong to (any role looks)."""
        if not user.is_authenticated:
            return self.none()
        teams = Membership.objects.filter(user=user).values("team_id")
        return self.filter(models.Q(team__isnull=True, owner=user) | models.Q(team_id__in=teams))


class TeamScoped(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="%(class)ss")
    # A team's when set (its members and owners change it, everyone in it looks); personal when empty.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="%(class)ss")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def scope(self) -> str:
        return self.team.name if self.team_id else "Only me"

    def can_edit(self, user, role: str | None) -> bool:
        """Its maker for a personal one; the team's members and owners for a team's (viewers only look)."""
        if self.team_id is None:
            return self.owner_id == user.pk
        return role in Membership.CREATOR_ROLES

    def can_delete(self, user, role: str | None) -> bool:
        """Its maker (while they still make in the team), or the team's owners."""
        if self.team_id is None:
            return self.owner_id == user.pk
        return role == Membership.Role.OWNER or (self.owner_id == user.pk and role in Membership.CREATOR_ROLES)
