"""allauth's OpenID Connect provider, with the checks Studio needs on every sign-in.

allauth already keeps a single-use `state` in the session and sends PKCE (OAUTH_PKCE_ENABLED). This
adds a nonce bound to that state, and verifies the ID token's signature against the provider's JWKS
even when it came straight from the token endpoint (allauth skips that, as the spec allows over TLS;
Studio also runs against http://127.0.0.1 providers, and a forged token must fail either way). Its
issuer, audience and expiry are checked by allauth's `jwtkit`, and the userinfo must speak of the same
subject as the ID token.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.crypto import get_random_string

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

PROVIDER_ID = "studio"
NONCE_LENGTH = 32


def studio_app() -> SocialApp | None:
    """The one SocialApp, built from the STUDIO_OIDC_* settings (never stored); None while SSO is off."""
    if not settings.STUDIO_OIDC_ISSUER:
        return None
    return SocialApp(
        provider=OpenIDConnectProvider.id, provider_id=PROVIDER_ID, name=settings.STUDIO_OIDC_NAME,
        client_id=settings.STUDIO_OIDC_CLIENT_ID, secret=settings.STUDIO_OIDC_CLIENT_SECRET,
        settings={"server_url": settings.STUDIO_OIDC_ISSUER, "scope": list(settings.STUDIO_OIDC_SCOPES)},
    )


def claims_of(extra_data: dict) -> dict:
    """What the provider said about the person: the ID token's claims, with the userinfo's on top."""
    return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}


class StudioOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        issuer = self.openid_config.get("issuer", "")
        if issuer.rstrip("/") != app.settings["server_url"].rstrip("/"):
            raise OAuth2Error(f"the provider calls itself {issuer!r}, not {app.settings['server_url']!r}")
        return jwtkit.verify_and_decode(credential=id_token, keys_url=self.openid_config["jwks_uri"], issuer=issuer,
                                        audience=app.client_id, lookup_kid=jwtkit.lookup_kid_jwk,
                                        verify_signature=True)

    def complete_login(self, request, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise OAuth2Error("the provider sent no ID token")
        login = super().complete_login(request, app, token, **kwargs)
        userinfo = login.account.extra_data.get("userinfo") or {}
        id_token = login.account.extra_data.get("id_token") or {}
        if userinfo and userinfo.get("sub") != id_token.get("sub"):
            raise OAuth2Error("the userinfo is about another subject than the ID token")
        return login


class StudioOIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = StudioOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # The nonce travels in the (single-use) state; the adapter's pre_social_login compares it with
        # the ID token's, so a token minted for another sign-in is refused.
        nonce = get_random_string(NONCE_LENGTH)
        auth_params = {**(kwargs.pop("auth_params", None) or self.get_auth_params()), "nonce": nonce}
        return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)
