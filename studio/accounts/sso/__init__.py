"""Single sign-on with the company's OpenID Connect provider (django-allauth's openid_connect provider).

provider.py and views.py harden allauth's provider (a nonce, every ID token's signature checked
against the provider's JWKS) and build the one SocialApp from the STUDIO_OIDC_* settings; urls.py puts
the views on allauth's paths; group_sync.py turns the groups claim into team memberships at every sign-in.
"""
