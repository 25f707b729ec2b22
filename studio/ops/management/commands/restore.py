"""manage.py restore SRC [--force]"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studio.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into this (fresh) database and storage; then run "
            "`manage.py verify_archive`.")

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path)
        parser.add_argument("--force", action="store_true", help="replace what the database already holds")

    def handle(self, *args, src, force=False, **options):
        try:
            manifest = restore(src, force=force, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored the backup of {manifest['created']}: {manifest['images']} images.")
