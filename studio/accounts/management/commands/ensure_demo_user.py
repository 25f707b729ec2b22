from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from studio.accounts.services import ensure_demo_user


class Command(BaseCommand):
    help = "On a fresh install, create a demo account (and a demo team) and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default=None)

    def handle(self, *args, username, password, **options):
        made = ensure_demo_user(username=username, password=password)
        # The generated login is kept (readable by this user only) so that it can be shown again at
        # every `make run`; it is the demo account of a laptop install, not a production secret.
        login_file = Path(settings.VAR_DIR) / "demo-login.txt"
        if made:
            login_file.write_text(f"Username: {made[0]}  Password: {made[1]}\n")
            login_file.chmod(0o600)
            self.stdout.write(self.style.SUCCESS(f"Demo account created. {login_file.read_text().strip()}"))
        elif login_file.exists():
            self.stdout.write(f"Demo login: {login_file.read_text().strip()}  (from {login_file})")
        else:
            self.stdout.write("Accounts exist already; no demo account created.")
