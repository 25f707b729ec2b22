"""`manage.py person budget USERNAME --monthly USD [--hard|--soft]`: a person's own monthly budget,
counted across every team they make jobs for."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ... import budgets
from ._budget_args import add_budget_arguments, budget_changes, describe


class Command(BaseCommand):
    help = "Set a person's monthly budget: `person budget USERNAME --monthly USD [--hard|--soft]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        budget = sub.add_parser("budget", help="set the person's monthly budget (across all their teams)")
        budget.add_argument("username")
        add_budget_arguments(budget)

    def handle(self, *args, action, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No person with the username {options['username']!r}.")
        self.stdout.write(describe(budgets.set_budget(actor=None, user=user, **budget_changes(options))))
