"""The sign-in and callback views of Studio's OpenID Connect provider, on allauth's URLs.

allauth's own openid_connect views build the stock adapter, which skips the signature check; these
build Studio's. Only the provider id `studio` exists (SocialAccountAdapter.list_apps), others are 404.
"""
from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView

from .provider import StudioOIDCAdapter

log = logging.getLogger(__name__)


def unreachable(request, exc: Exception | None = None):
    """The page for a provider that did not answer (refused, timed out, or answered garbage)."""
    log.warning("SSO: the sign-in service at %s did not answer: %r", settings.STUDIO_OIDC_ISSUER, exc)
    return render(request, "socialaccount/authentication_error.html", {
        "problem": f"The sign-in service at {settings.STUDIO_OIDC_ISSUER} did not answer. Nobody was signed in; "
                   "try again in a moment, or tell an operator if it keeps happening.",
    }, status=502)


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(StudioOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Single sign-on is not configured.") from None
    except (requests.RequestException, ValueError, KeyError) as exc:  # no answer, or not a discovery document
        return unreachable(request, exc)


@login_not_required
def callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(StudioOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Single sign-on is not configured.") from None
