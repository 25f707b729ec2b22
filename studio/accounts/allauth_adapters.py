"""How django-allauth behaves in Studio: who may sign up, what SSO makes of a person, what a failed
sign-in tells them. Settings name these classes (ACCOUNT_ADAPTER, SOCIALACCOUNT_ADAPTER)."""
from __future__ import annotations

import logging

import requests
from django.conf import settings

from allauth.account.adapter import DefaultAccountAdapter, get_adapter as get_account_adapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.oauth2.client import OAuth2Error

from studio.audit.services import record

from . import invitation_services
from .sso.provider import claims_of, studio_app

log = logging.getLogger(__name__)

# The session remembers the invitation a person opened, so that the sign-up page opens for them alone.
INVITATION_SESSION_KEY = "studio_invitation_key"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages,
                      "username_password_mismatch": "That username and password do not match an account. Try again."}

    def is_open_for_signup(self, request) -> bool:
        """Nobody signs up on their own: a password account is made only from a pending invitation."""
        key = request.session.get(INVITATION_SESSION_KEY) if hasattr(request, "session") else None
        return bool(key and invitation_services.pending_invitation(key))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """The one provider, from the STUDIO_OIDC_* settings; nothing from the database."""
        app = studio_app()
        if app is None or (provider and provider not in (app.provider, app.provider_id)) or (
                client_id and client_id != app.client_id):
            return []
        return [app]

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # the company's provider vouches for its people; no mapped group means no team

    def populate_user(self, request, sociallogin, data):
        """Username from `preferred_username` (made unique), so the first sign-in needs no form."""
        user = super().populate_user(request, sociallogin, data)
        email = data.get("email") or ""
        user.username = get_account_adapter().generate_unique_username(
            [data.get("username") or "", email.split("@")[0], "user"])
        return user

    def pre_social_login(self, request, sociallogin):
        expected = (sociallogin.state or {}).get("nonce")
        got = (sociallogin.account.extra_data.get("id_token") or {}).get("nonce")
        if not expected or got != expected:
            raise ImmediateHttpResponse(render_authentication_error(
                request, sociallogin.provider, exception=OAuth2Error("the ID token's nonce is not this sign-in's")))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        problem = describe_failure(exception, unknown_state="state_id" in (extra_context or {}))
        if extra_context is not None:
            extra_context["problem"] = problem
        log.warning("SSO sign-in refused: %s (%r)", problem, exception)
        record("sign_in.failed", summary=f"SSO ({settings.STUDIO_OIDC_NAME}): {problem}")


def describe_failure(exception, *, unknown_state: bool) -> str:
    """One sentence for the person whose SSO sign-in did not happen."""
    if isinstance(exception, (requests.ConnectionError, requests.Timeout)):
        return f"The sign-in service at {settings.STUDIO_OIDC_ISSUER} did not answer. Nobody was signed in."
    if isinstance(exception, requests.HTTPError):
        status = exception.response.status_code if exception.response is not None else "an error"
        return (f"The sign-in service at {settings.STUDIO_OIDC_ISSUER} answered with {status}. "
                "Nobody was signed in.")
    if isinstance(exception, OAuth2Error):
        return ("The answer from the sign-in service could not be verified "
                f"({exception.__cause__ or exception}). Nobody was signed in.")
    if unknown_state:
        return ("This sign-in answer does not belong to a sign-in started in this browser, or it was used "
                "already. Nobody was signed in.")
    return "The sign-in service did not sign you in. Nobody was signed in."

