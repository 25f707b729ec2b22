from django.core.management.base import BaseCommand, CommandError

from studio.accounts.models import Membership, Team
from studio.accounts.services import add_member


class Command(BaseCommand):
    help = "Create teams and add people to them: `team create NAME`, `team add NAME USERNAME [--role ROLE]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a team")
        create.add_argument("name")
        add = sub.add_parser("add", help="add a person to a team (creating the account if missing)")
        add.add_argument("name")
        add.add_argument("username")
        add.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.MEMBER)
        add.add_argument("--password", help="set this password on the account")

    def handle(self, *args, action, **options):
        if action == "create":
            team, created = Team.objects.get_or_create(name=options["name"])
            self.stdout.write(f"Team {team.name!r} {'created' if created else 'already exists'}.")
            return
        try:
            team = Team.objects.get(name=options["name"])
        except Team.DoesNotExist:
            raise CommandError(f"No team named {options['name']!r}. Create it with: team create NAME") from None
        membership, created_user = add_member(
            team=team, username=options["username"], role=options["role"], password=options["password"]
        )
        made = " (new account)" if created_user else ""
        self.stdout.write(f"{membership.user.username}{made} is {membership.role} of {team.name!r}.")
