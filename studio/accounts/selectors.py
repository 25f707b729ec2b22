"""Reads for the members and account pages."""
from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from .invitations import Invitation
from .models import Membership, Team
from .tokens import ApiToken


def my_membership(user, slug: str) -> Membership | None:
    """The person's membership of the team `slug`; None (so: 404) when they are not in it."""
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("team").filter(user=user, team__slug=slug).first()


def owned_team(user, slug: str) -> Team | None:
    """The team `slug` when the person is one of its owners; None (so: 404, members learn nothing) otherwise."""
    mine = my_membership(user, slug)
    return mine.team if mine is not None and mine.role == Membership.Role.OWNER else None


def members_of(team: Team) -> list[Membership]:
    """Owners first, then members, then viewers; by name within a role."""
    rank = Case(*(When(role=role, then=Value(-score)) for role, score in Membership.ROLE_RANK.items()),
                output_field=IntegerField())
    return list(Membership.objects.filter(team=team).select_related("user")
                .annotate(rank=rank).order_by("rank", "user__username"))


def pending_invitations(team: Team) -> list[Invitation]:
    return list(Invitation.objects.pending().filter(team=team).select_related("invited_by"))


def teams_with_roles(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("team").order_by("team__name"))


def tokens_of(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("team"))


def sessions_of(user) -> list[UserSession]:
    """The person's signed-in browsers, newest first; sessions that ended are dropped on the way."""
    return sorted(UserSession.objects.purge_and_list(user), key=lambda s: s.created_at, reverse=True)


def mfa_of(user) -> dict:
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return {"totp": Authenticator.Type.TOTP in types, "recovery_codes": Authenticator.Type.RECOVERY_CODES in types}
