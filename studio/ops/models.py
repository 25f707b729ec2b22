"""What the operations side keeps in the database: each run of the archive check."""
from django.db import models
from django.utils import timezone

# A run that finds a flood of problems keeps the first ones; the count says how many there were.
KEPT_PROBLEMS = 500


class ArchiveCheck(models.Model):
    """One run of `verify_archive` (by hand, or beat's daily sample): what it read and what it found.

    Saved as it goes, so a run that stopped can be resumed where it was (`--resume`) and the
    operations page can show the last one.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    sample = models.PositiveIntegerField(null=True, blank=True)  # None: every stored image
    since = models.DateField(null=True, blank=True)
    # The images this run covers: ids up to `last_id` when it started (new images wait for the next
    # run), or the sampled ids. `position` is the last id checked, for --resume.
    last_id = models.BigIntegerField(default=0)
    sample_ids = models.JSONField(default=list, blank=True)
    position = models.BigIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"image": id, "problem": "..."}], the first KEPT_PROBLEMS
    problem_kinds = models.JSONField(default=dict, blank=True)  # {"original missing": 3, ...}, all of them
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"Archive check {self.pk} ({self.status}, {self.checked} checked, {self.problem_count} problems)"

    @property
    def scope(self) -> str:
        what = f"a sample of {self.sample}" if self.sample else "every stored image"
        return what + (f" since {self.since:%Y-%m-%d}" if self.since else "")

    def add_problem(self, image_id: int, kind: str, detail: str = "") -> str:
        """Count one problem of `kind` ("original missing", "sha256 mismatch", ...); answers its line."""
        self.problem_count += 1
        self.problem_kinds[kind] = self.problem_kinds.get(kind, 0) + 1
        line = f"image {image_id}: {kind}" + (f" ({detail})" if detail else "")
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append({"image": image_id, "problem": line})
        return line

    def summary(self) -> str:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.problem_kinds.items()))
        found = f"{self.problem_count} problem{'' if self.problem_count == 1 else 's'}"
        read = f"{self.bytes_read / 1e6:.1f} MB" if self.bytes_read >= 100_000 else f"{self.bytes_read / 1e3:.1f} kB"
        return (f"Checked {self.checked} image{'' if self.checked == 1 else 's'} ({self.scope}, "
                f"{read} read) in {self.seconds:.1f} s: {found}"
                + (f" ({kinds})." if kinds else "."))
