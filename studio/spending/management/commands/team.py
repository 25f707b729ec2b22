"""`manage.py team ...`: accounts' team command plus `team budget NAME --monthly USD [--hard|--soft]`.

The command lives here, not in accounts, because accounts sits below spending and may not import it;
spending is listed before accounts in INSTALLED_APPS, so this is the `team` command manage.py runs.
"""
from django.core.management.base import CommandError

from studio.accounts.management.commands.team import Command as AccountsTeamCommand
from studio.accounts.models import Team

from ... import budgets
from ._budget_args import add_budget_arguments, budget_changes, describe


class Command(AccountsTeamCommand):
    help = AccountsTeamCommand.help[:-1] + ", `team budget NAME --monthly USD [--hard|--soft]`."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = next(action for action in parser._subparsers._group_actions if action.dest == "action")
        budget = sub.add_parser("budget", help="set the team's monthly budget")
        budget.add_argument("name")
        add_budget_arguments(budget)

    def handle(self, *args, action, **options):
        if action != "budget":
            return super().handle(*args, action=action, **options)
        team = Team.objects.filter(name=options["name"]).first()
        if team is None:
            raise CommandError(f"No team named {options['name']!r}. Create it with: team create NAME")
        self.stdout.write(describe(budgets.set_budget(actor=None, team=team, **budget_changes(options))))
