from django.core.management.base import BaseCommand

from studio.standin.cli import serve
from studio.standin.config import add_arguments, config_from_options


class Command(BaseCommand):
    help = "Run the local stand-in for the OpenAI Images API (see studio/standin)."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        add_arguments(parser)
        parser.add_argument("--verbose", action="store_true", help="log every request to stderr")

    def handle(self, *args, **options):
        host, port, config = config_from_options(options)
        serve(host, port, config, out=self.stdout._out, verbose=options["verbose"],
              control_token=options["control_token"])
