"""Read content credentials and fingerprints of stored images that have none yet (archives older
than the post-store step, or reads whose message was lost).

    python manage.py backfill_provenance --batch 200 --pause 0.5

Resumable: an image read is done and leaves the queue, so a stopped run picks up where it stopped.
Paced: `--pause` seconds between batches leave storage and the database to live traffic.
"""
from django.core.management.base import BaseCommand, CommandError

from studio.gallery import provenance


class Command(BaseCommand):
    help = "Read C2PA content credentials and perceptual hashes of stored images that have not been read."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200, help="images per batch (default 200)")
        parser.add_argument("--pause", type=float, default=0.0, help="seconds to wait between batches")
        parser.add_argument("--limit", type=int, default=None, help="stop after this many images")

    def handle(self, *args, batch, pause, limit, **options):
        if batch < 1 or pause < 0 or (limit is not None and limit < 1):
            raise CommandError("--batch and --limit must be at least 1, and --pause not negative.")
        left = provenance.due().count()
        self.stdout.write(f"{left:,} stored images have no provenance read yet.")

        def progress(done, last_id):
            self.stdout.write(f"  {done:,} read (up to image {last_id})")

        done = provenance.backfill(batch=batch, pause=pause, limit=limit, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Read {done:,} images; {provenance.due().count():,} left."))
