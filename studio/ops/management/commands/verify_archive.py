"""manage.py verify_archive [--sample N] [--since DATE] [--per-second X] [--resume [ID]]"""
import datetime as dt
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from studio.ops import archive


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--since takes a date as YYYY-MM-DD, not {raw!r}.") from None


class Command(BaseCommand):
    help = ("Re-read stored originals and thumbnails and check them against their sha256: one line per problem, "
            "then a summary; exits 1 when it found any. Resumable (--resume) and paced (--per-second).")

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, help="check this many images chosen at random, not all")
        parser.add_argument("--since", type=_date, help="only images made on or after this day (YYYY-MM-DD)")
        parser.add_argument("--per-second", type=float, default=settings.STUDIO_VERIFY_PER_SECOND,
                            help="images read per second at most; 0 reads as fast as storage answers "
                                 "(default STUDIO_VERIFY_PER_SECOND, %(default)s)")
        parser.add_argument("--resume", nargs="?", type=int, const=0, metavar="ID",
                            help="carry on with the check that stopped (the latest, or the one with this id)")

    def handle(self, *args, sample=None, since=None, per_second, resume=None, **options):
        if sample is not None and sample < 1:
            raise CommandError("--sample takes a number of images, 1 or more.")
        if resume is not None:
            if sample or since:
                raise CommandError("--resume carries on with a check as it was started; leave out --sample and --since.")
            check = archive.resumable(resume or None)
            if check is None:
                raise CommandError("There is no stopped check to resume" + (f" with id {resume}." if resume else "."))
            self.stdout.write(f"Resuming check {check.pk} ({check.scope}) after image {check.position}, "
                              f"{check.checked} checked so far.")
            for problem in check.problems:
                self.stdout.write(problem["problem"])
        else:
            check = archive.start_check(sample=sample, since=since)
        check = archive.run_check(check, per_second=per_second, on_problem=self.stdout.write)
        self.stdout.write(check.summary())
        if check.problem_count:
            sys.exit(1)
