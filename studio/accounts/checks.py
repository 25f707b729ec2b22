"""Start-up checks for sign-in: what STUDIO_OIDC_TEAMS names must exist; the issuer speaks https."""
from urllib.parse import urlparse

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from .models import Team


def sso_teams_exist(app_configs=None, databases=None, **kwargs):
    """A team in STUDIO_OIDC_TEAMS that does not exist maps nobody: a warning, since it may come later."""
    names = sorted({team for _, team, _ in settings.STUDIO_OIDC_TEAMS})
    if not names:
        return []
    try:
        known = set(Team.objects.filter(name__in=names).values_list("name", flat=True))
    except DatabaseError:
        return []  # no database yet (before the first migrate): nothing to compare against
    return [
        checks.Warning(f"STUDIO_OIDC_TEAMS maps groups to the team {name!r}, which does not exist; "
                       "nobody joins it until a team of that name is created.",
                       hint="Create it with `manage.py team create NAME`, or fix the name in STUDIO_OIDC_TEAMS.",
                       id="studio.accounts.W001")
        for name in names if name not in known
    ]


def sso_issuer_uses_https(app_configs=None, **kwargs):
    """Plain http is for a provider on this machine (tests); anywhere else the tokens would cross in clear."""
    issuer = urlparse(settings.STUDIO_OIDC_ISSUER or "")
    if not issuer.scheme or issuer.scheme == "https" or issuer.hostname in ("127.0.0.1", "localhost", "::1"):
        return []
    return [checks.Warning(f"STUDIO_OIDC_ISSUER is {settings.STUDIO_OIDC_ISSUER!r}: sign-in answers would travel "
                           "unencrypted.", hint="Use the provider's https URL.", id="studio.accounts.W002")]
