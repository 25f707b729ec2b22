"""manage.py backup DEST"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studio.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and every storage object into the new folder DEST (see README, Operating)."

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path)

    def handle(self, *args, dest, **options):
        try:
            manifest = backup(dest, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup complete in {dest} ({manifest['created']}).")
