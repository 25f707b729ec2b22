from django.core.management.base import BaseCommand

from studio.gallery.services import purge_trash


class Command(BaseCommand):
    help = "Remove images trashed more than STUDIO_TRASH_DAYS days ago, their storage objects included."

    def handle(self, *args, **options):
        purged = purge_trash()
        self.stdout.write(f"Purged {purged} image{'s' if purged != 1 else ''} from the trash.")
