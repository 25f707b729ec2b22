"""Reads of batches: what a person may see, and each batch's progress (through Job.visible_to)."""
from collections import Counter
from dataclasses import dataclass, field

from studio.gallery.models import Image
from studio.generation.models import Job

from .models import Batch, BatchItem

SHOWN_STATES = ("queued", "calling", "interrupted", "fetching", "done", "partially_failed", "failed")


def visible_batches(user):
    return Batch.objects.visible_to(user).select_related("team", "owner")


def visible_batch(user, pk) -> Batch | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return visible_batches(user).filter(pk=pk).first()


@dataclass
class Progress:
    items: list = field(default_factory=list)  # (item, job or None when not visible to this person)
    counts: Counter = field(default_factory=Counter)
    total: int = 0

    @property
    def finished(self) -> int:
        return sum(self.counts[s] for s in Job.FINISHED)

    @property
    def is_finished(self) -> bool:
        return self.finished == self.total

    @property
    def failed(self) -> int:
        return self.counts[Job.Status.FAILED]

    @property
    def unstarted(self) -> int:
        return self.counts[Job.Status.QUEUED]

    def summary(self) -> list[tuple[str, int]]:
        labels = dict(Job.Status.choices)
        return [(labels[s], self.counts[s]) for s in SHOWN_STATES if self.counts[s]]


def progress(user, batch: Batch) -> Progress:
    items = list(BatchItem.objects.filter(batch=batch).order_by("row", "id"))
    jobs = {job.pk: job for job in Job.objects.visible_to(user).filter(pk__in=[i.job_id for i in items])}
    # Status counts come from every job of the batch (numbers only); prompts only from visible ones.
    statuses = dict(Job.objects.filter(pk__in=[i.job_id for i in items]).values_list("pk", "status"))
    found = Progress(total=len(items))
    found.counts.update(statuses.values())
    found.items = [(item, jobs.get(item.job_id)) for item in items]
    return found


def batch_images(user, batch: Batch):
    """The batch's stored images this person may see, for the ZIP."""
    return (Image.objects.visible_to(user).filter(job__batch_item__batch=batch, status=Image.Status.STORED)
            .select_related("owner", "team", "job").order_by("job__batch_item__row", "pk"))
