"""Sign-ins, sign-outs and failed sign-ins into the audit trail, and SSO groups into teams.

Receivers of Django's and allauth's authentication signals (not model signals): every way in ends in
`django.contrib.auth.login`, every wrong password in `authenticate`, every way out in `logout`.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from allauth.account.authentication import get_authentication_records
from allauth.account.signals import user_logged_in as allauth_user_logged_in

from studio.audit.services import record

from .sso.group_sync import sync_memberships
from .sso.provider import claims_of


def _how(request, user) -> str:
    methods = [entry.get("method") for entry in get_authentication_records(request, user)] if request else []
    if "socialaccount" in methods:
        return f"SSO ({settings.STUDIO_OIDC_NAME})"
    if "password" in methods:
        return "password and TOTP" if "mfa" in methods else "password"
    return ""  # a new account signed in straight after sign-up, or a test's force_login


@receiver(user_logged_in, dispatch_uid="studio.audit.sign_in")
def record_sign_in(sender, request, user, **kwargs):
    how = _how(request, user)
    record("sign_in", actor=user, summary=f"{user.get_username()} signed in" + (f" with {how}" if how else ""))


@receiver(user_logged_out, dispatch_uid="studio.audit.sign_out")
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        ended = getattr(request, "studio_sessions_ended", None)
        where = f" everywhere ({ended} browser sessions)" if ended else ""
        record("sign_out", actor=user, summary=f"{user.get_username()} signed out{where}")


@receiver(user_login_failed, dispatch_uid="studio.audit.sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    if getattr(request, "axes_locked_out", False):
        return  # this attempt locked the name out (or came while it was): throttling.record_lockout says so
    # Django has already replaced the password with stars; only the name someone typed is kept.
    name = str(credentials.get("username") or credentials.get("login") or "")[:150]
    record("sign_in.failed", summary=f"password sign-in refused for {name!r}")


@receiver(allauth_user_logged_in, dispatch_uid="studio.accounts.sso_group_sync")
def sync_teams_after_sso(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is not None:
        sync_memberships(user, claims_of(sociallogin.account.extra_data))
