"""Start-up checks for sign-in: what STUDIO_OIDC_TEAMS names must exist."""
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
