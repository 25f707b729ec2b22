from django.core.management.base import BaseCommand

from studio.accounts.services import ensure_demo_user


class Command(BaseCommand):
    help = "On a fresh install, create a demo account (and a demo team) and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default=None)

    def handle(self, *args, username, password, **options):
        made = ensure_demo_user(username=username, password=password)
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo account created. Username: {made[0]}  Password: {made[1]}"))
        else:
            self.stdout.write("Accounts exist already; no demo account created.")
