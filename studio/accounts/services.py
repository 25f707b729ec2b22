import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, PersonSettings, Team


@transaction.atomic
def add_member(*, team: Team, username: str, role: str = Membership.Role.MEMBER, password: str | None = None):
    """Add (or re-role) a person in a team, creating the account when it does not exist yet."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
    return membership, created


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


def remember_share_choice(*, user, team: Team | None) -> None:
    """Keep the "Share with" a person chose on a full job form as their default for the next one."""
    PersonSettings.objects.update_or_create(user=user, defaults={"share_with": team})
