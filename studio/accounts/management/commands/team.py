import getpass
import sys

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from studio.accounts.models import Membership, Team
from studio.accounts.services import add_member

HISTORY_WARNING = ("Warning: --password lands in your shell history and in the process list; leave it out to "
                   "be asked at a prompt (or pipe the password on stdin).")


class Command(BaseCommand):
    stealth_options = ("stdin",)  # call_command(..., stdin=io.StringIO(...)) in tests, as createsuperuser does
    help = ("Create teams and add people to them: `team create NAME`, `team add NAME USERNAME [--role ROLE]`. "
            "A new person's password is asked at a prompt, or read from stdin when it is not a terminal.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a team")
        create.add_argument("name")
        add = sub.add_parser("add", help="add a person to a team (creating the account if missing)")
        add.add_argument("name")
        add.add_argument("username")
        add.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.MEMBER)
        add.add_argument("--password", help="a new account's password (lands in shell history: prefer the prompt)")
        add.add_argument("--no-password", action="store_true",
                         help="a new account without a password (it signs in with SSO or a reset link)")

    def handle(self, *args, action, **options):
        if action == "create":
            team, created = Team.objects.get_or_create(name=options["name"])
            self.stdout.write(f"Team {team.name!r} {'created' if created else 'already exists'}.")
            return
        try:
            team = Team.objects.get(name=options["name"])
        except Team.DoesNotExist:
            raise CommandError(f"No team named {options['name']!r}. Create it with: team create NAME") from None
        username, password = options["username"], options["password"]
        if password is not None:
            self.stderr.write(HISTORY_WARNING)
        exists = get_user_model().objects.filter(username=username).exists()
        if exists and password is not None:
            self.stderr.write(f"{username} already has an account: their password is left as it is.")
        if not exists:
            if password is None and not options["no_password"]:
                password = self._ask_password(username, options.get("stdin") or sys.stdin)
            if password is not None:
                self._validate(username, password)
        membership, created_user = add_member(team=team, username=username, role=options["role"],
                                              password=None if exists else password)
        made = " (new account)" if created_user else ""
        self.stdout.write(f"{membership.user.username}{made} is {membership.role} of {team.name!r}.")

    def _ask_password(self, username: str, stdin) -> str:
        if hasattr(stdin, "isatty") and stdin.isatty():
            password = getpass.getpass(f"Password for {username}: ")
            if getpass.getpass("The same again: ") != password:
                raise CommandError("The two passwords differ; nothing was changed.")
        else:
            password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(f"No password given for the new account {username}; nothing was changed. Type one at "
                               "the prompt, pipe it on stdin, or use --no-password for an account that signs in "
                               "with SSO or a reset link.")
        return password

    def _validate(self, username: str, password: str) -> None:
        try:
            password_validation.validate_password(password, user=get_user_model()(username=username))
        except ValidationError as exc:
            raise CommandError("That password is not accepted: " + " ".join(exc.messages)) from None
