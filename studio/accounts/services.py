"""Who is in a team, and with which role: every change is one service, and one audit event."""
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from studio.audit.services import record

from .models import Membership, PersonSettings, Team


@transaction.atomic
def add_member(*, team: Team, username: str, role: str = Membership.Role.MEMBER, password: str | None = None,
               actor=None):
    """An operator adds (or re-roles) a person in a team, creating the account when it does not exist yet.

    The membership becomes the operator's: the SSO group mapping leaves it alone from now on. `password` is
    set on a new account only.
    """
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:  # an existing person's password is theirs: adding them to a team never touches it
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
    before = Membership.objects.filter(team=team, user=user).first()
    membership, _ = Membership.objects.update_or_create(
        team=team, user=user, defaults={"role": role, "source": Membership.Source.OPERATOR})
    if before is None:
        record("member.added", actor=actor, team=team, target=membership,
               summary=f"{username} joined {team.name} as {role} (operator)")
    elif before.role != role:
        record("member.role_changed", actor=actor, team=team, target=membership,
               summary=f"{username}: {before.role} → {role} in {team.name} (operator)")
    return membership, created


def _lock_team(team: Team) -> Team:
    """Membership changes of one team run one at a time, so two owners cannot demote each other at once."""
    return Team.objects.select_for_update().get(pk=team.pk)


def _is_last_owner(membership: Membership) -> bool:
    return (membership.role == Membership.Role.OWNER
            and not Membership.objects.filter(team_id=membership.team_id, role=Membership.Role.OWNER)
            .exclude(pk=membership.pk).exists())


def change_role(*, membership: Membership, role: str, actor) -> Membership:
    """An owner gives someone another role. The last owner keeps theirs; SSO rows follow their group."""
    if role not in Membership.Role.values:
        raise ValidationError(f"{role!r} is not a role; choose owner, member or viewer.")
    with transaction.atomic():
        team = _lock_team(membership.team)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        if not team.is_managed_by(actor):
            raise PermissionDenied("Only the team's owners change roles.")
        if membership.role == role:
            return membership
        if membership.source == Membership.Source.SSO:
            raise ValidationError(f"{membership.user.get_username()}'s role comes from an SSO group; "
                                  "change the group at the identity provider.")
        if role != Membership.Role.OWNER and _is_last_owner(membership):
            raise ValidationError(f"{membership.user.get_username()} is the last owner of {team.name}; "
                                  "make someone else an owner first.")
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record("member.role_changed", actor=actor, team=team, target=membership,
               summary=f"{membership.user.get_username()}: {before} → {role} in {team.name}")
    return membership


def remove_member(*, membership: Membership, actor) -> None:
    """An owner removes someone, or a person leaves. The last owner cannot go.

    Their share links for the team's images stop working with the membership (the share-link rule asks
    whether the link's maker could still make it now), and the team keeps the images.
    """
    with transaction.atomic():
        team = _lock_team(membership.team)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        leaving = membership.user_id == getattr(actor, "pk", None)
        if not leaving and not team.is_managed_by(actor):
            raise PermissionDenied("Only the team's owners remove people.")
        if _is_last_owner(membership):
            who = "You are" if leaving else f"{membership.user.get_username()} is"
            raise ValidationError(f"{who} the last owner of {team.name}; make someone else an owner first.")
        username = membership.user.get_username()
        record("member.removed", actor=actor, team=team, target=membership,
               summary=f"{username} left {team.name}" if leaving else f"{username} removed from {team.name}")
        membership.delete()


def ensure_demo_user(*, username: str = "demo", password: str | None = None):
    """Create the first account for a fresh install; return (username, password) if one was made."""
    User = get_user_model()
    if User.objects.exists():
        return None
    password = password or secrets.token_urlsafe(9)
    user = User.objects.create_superuser(username=username, email="", password=password)
    team, _ = Team.objects.get_or_create(name="Demo team")
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Membership.Role.OWNER})
    return username, password


def update_profile(user, *, first_name: str, last_name: str, email: str) -> None:
    user.first_name, user.last_name, user.email = first_name.strip(), last_name.strip(), email.strip()
    user.save(update_fields=["first_name", "last_name", "email"])


def remember_share_choice(*, user, team: Team | None) -> None:
    """Keep the "Share with" a person chose on a full job form as their default for the next one."""
    PersonSettings.objects.update_or_create(user=user, defaults={"share_with": team})
