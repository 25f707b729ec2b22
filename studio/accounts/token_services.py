"""Making, using and revoking personal API tokens; every change goes into the audit trail."""
from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from studio.audit.services import record

from .tokens import ApiToken

MAX_EXPIRY_DAYS = 3650


def create_token(*, user, name: str, team=None, expires_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the plaintext, shown once and never again.

    A token may charge a team only when its person may spend for that team (owners and members).
    """
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError("Give the token a name, e.g. the script that will use it.")
    if team is not None and not team.lets_spend(user):
        raise PermissionDenied(f"{user.get_username()} may not charge jobs to {team.name}: viewers only look.")
    expires_at = None
    if expires_days is not None:
        if not 1 <= int(expires_days) <= MAX_EXPIRY_DAYS:
            raise ValidationError(f"A token expires after 1 to {MAX_EXPIRY_DAYS} days, or never.")
        expires_at = timezone.now() + timedelta(days=int(expires_days))
    row, plaintext = ApiToken.new(user=user, name=name, team=team, expires_at=expires_at)
    try:
        with transaction.atomic():
            row.save()
            record("token.created", actor=user, team=team, target=row,
                   summary=f"token {name!r}" + (f" charging {team.name}" if team else " (private)"))
    except IntegrityError:
        raise ValidationError(f"You already have a token called {name!r}; revoke it or choose another name.") from None
    return row, plaintext


def revoke_token(token: ApiToken, *, actor) -> bool:
    """Revoke at once: the next request with it is refused. False when it was revoked already."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            record("token.revoked", actor=actor, team=token.team, target=token, summary=f"token {token.name!r}")
    return bool(revoked)


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token `raw` names, with its person loaded; None for a missing, wrong, revoked or expired one."""
    parsed = ApiToken.parse(raw)
    if parsed is None:
        return None
    lookup, secret = parsed
    token = ApiToken.objects.select_related("user", "team").filter(lookup=lookup).first()
    if token is None or not token.matches(secret) or not token.is_active() or not token.user.is_active:
        return None
    token.touch()
    return token
