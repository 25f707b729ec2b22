from django.conf import settings
from django.db import models
from django.utils.text import slugify

from .invitations import Invitation  # noqa: F401 - a model of this app, kept in a module of its own
from .roles import Role
from .tokens import ApiToken  # noqa: F401 - a model of this app, kept in a module of its own


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100] or "team"
        super().save(*args, **kwargs)

    def lets_spend(self, user) -> bool:
        """Owners and members may make jobs for the team (the team pays); viewers only look."""
        return self.memberships.filter(user=user, role__in=Membership.CREATOR_ROLES).exists()

    def role_of(self, user) -> str | None:
        membership = self.memberships.filter(user=user).only("role").first()
        return membership.role if membership else None

    def is_managed_by(self, user) -> bool:
        """Owners change roles, remove people and invite; everyone else in the team only sees the list."""
        return self.memberships.filter(user=user, role=Membership.Role.OWNER).exists()


class Membership(models.Model):
    Role = Role

    class Source(models.TextChoices):
        OPERATOR = "operator", "Operator"
        INVITATION = "invitation", "Invitation"
        SSO = "sso", "SSO group"

    # Viewers may look at the team's images but not spend the team's money.
    CREATOR_ROLES = (Role.OWNER, Role.MEMBER)
    # Higher first: when two SSO groups map one person to one team, the higher role wins.
    ROLE_RANK = {Role.OWNER: 3, Role.MEMBER: 2, Role.VIEWER: 1}

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    # How the person came: the SSO group mapping manages (adds, re-roles, removes) only its own rows.
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OPERATOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


def owned_by_or_shared_with(user) -> models.Q:
    """Rows (images, jobs) that `user` owns or that are shared with a team `user` belongs to, any role.

    A subquery rather than a join keeps the queries free of DISTINCT, which matters at a million rows.
    """
    return models.Q(owner=user) | models.Q(team_id__in=Membership.objects.filter(user=user).values("team_id"))


def teams_where_user_can_create(user):
    return Team.objects.filter(memberships__user=user, memberships__role__in=Membership.CREATOR_ROLES)


class PersonSettings(models.Model):
    """What Studio remembers for one person, kept on the server: it follows them to every device and
    outlives signing out. No row until their first choice; until then every default holds."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="studio_settings")
    # "Share with" as last chosen on a full job form; empty is "Only me". Only a team the person may still
    # create in counts (`remembered_share_team`); a deleted team leaves "Only me".
    share_with = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "person's settings"
        verbose_name_plural = "people's settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"


def remembered_share_team(user) -> Team | None:
    """The team a person last chose to share new work with, while they may still create there; None
    ("Only me") on their first visit, after choosing "Only me", or once they may no longer create there."""
    chosen = PersonSettings.objects.filter(user=user).values("share_with")
    return teams_where_user_can_create(user).filter(pk__in=chosen).first()
