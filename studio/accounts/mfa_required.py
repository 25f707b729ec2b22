"""STUDIO_REQUIRE_MFA: a person who signs in with a password enrols in TOTP before anything else.

People who came by SSO are left to their identity provider's MFA. The check costs one indexed query
per request, and only while the setting is on.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

# Where someone who must enrol may still go: enrolment itself, its re-authentication, signing out.
ALLOWED_URL_NAMES = ("mfa_activate_totp", "account_reauthenticate", "mfa_reauthenticate", "account_logout",
                     "logout")


def must_enrol(request) -> bool:
    user = request.user
    if not (settings.STUDIO_REQUIRE_MFA and user.is_authenticated and user.has_usable_password()):
        return False
    if any(entry.get("method") == "socialaccount" for entry in get_authentication_records(request, user)):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if must_enrol(request) and not self._allowed(request.path):
            messages.info(request, "This Studio asks everyone who signs in with a password for a second step: "
                                   "set up an authenticator app to go on.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        return path.startswith("/" + settings.STATIC_URL.lstrip("/")) or any(
            path == reverse(name) for name in ALLOWED_URL_NAMES)
