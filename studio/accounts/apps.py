from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "studio.accounts"
    label = "accounts"
    verbose_name = "People and teams"

    def ready(self):
        # Importing the modules connects their receivers and registers the check.
        from . import checks as studio_checks, sign_in_events, throttling  # noqa: F401

        checks.register(studio_checks.sso_teams_exist, checks.Tags.security)
        checks.register(studio_checks.sso_issuer_uses_https, checks.Tags.security)
