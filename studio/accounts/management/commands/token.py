from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from studio.accounts.models import Team
from studio.accounts.token_services import create_token, revoke_token
from studio.accounts.tokens import ApiToken


class Command(BaseCommand):
    help = ("Personal API tokens for Studio's /v1 Images API: `token create USERNAME --name NAME [--team TEAM] "
            "[--expires-days N]` prints the token on its last line; `token revoke USERNAME NAME`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token (shown once)")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        create.add_argument("--team", help="the team its jobs are charged to (by name); default: private")
        create.add_argument("--expires-days", type=int, default=None)
        revoke = sub.add_parser("revoke", help="revoke a token by its name")
        revoke.add_argument("username")
        revoke.add_argument("name")

    def handle(self, *args, action, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No person called {username!r}.")
        if action == "create":
            team = None
            if options["team"]:
                team = Team.objects.filter(name=options["team"]).first()
                if team is None:
                    raise CommandError(f"No team named {options['team']!r}.")
            try:
                row, plaintext = create_token(user=user, name=options["name"], team=team,
                                              expires_days=options["expires_days"])
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
            where = f"charging {team.name}" if team else "private"
            until = f"until {row.expires_at:%Y-%m-%d}" if row.expires_at else "until revoked"
            self.stdout.write(f"Token {row.name!r} for {username} ({where}, {until}). It is shown only now:")
            self.stdout.write(plaintext)
            return
        token = ApiToken.objects.active().filter(user=user, name=options["name"]).first()
        if token is None:
            raise CommandError(f"{username} has no active token called {options['name']!r}.")
        revoke_token(token, actor=None)
        self.stdout.write(f"Token {options['name']!r} of {username} is revoked.")
