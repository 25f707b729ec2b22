"""Settling: once no image of a job is still downloading, the job is done, partly failed or failed.

Called by the fetch path after each image reaches its end (stored, failed, expired) and by the
sweeper for a worker that died in between; a conditional UPDATE makes settling twice a no-op.
"""
from __future__ import annotations

import logging

from studio import metrics
from studio.gallery import storage
from studio.gallery.models import Image
from studio.spending import reservations

from ..models import Job
from . import events

log = logging.getLogger(__name__)

EXPIRED_MESSAGE = "The provider's link expired before Studio could download the image."


def close_charge(job_id: int, *, charged_unknown: bool = False) -> None:
    """The job's ledger row once no more calls will be made for it: what the provider charged (the
    job's `cost_actual`, paid-for broken answers included) stays charged; nothing charged is released.

    `charged_unknown`: a call cut off by a dead worker may or may not have been charged; the
    reservation is kept as the charge rather than risk a budget that was overspent unseen.
    """
    actual, estimate = Job.objects.filter(pk=job_id).values_list("cost_actual", "cost_estimate").first() or (None,
                                                                                                           None)
    if charged_unknown and not actual:
        reservations.settle(job_id, estimate or 0)
        return
    reservations.close_for(job_id, actual)


def finish_image(image: Image, status: str, reason: str) -> None:
    Image.objects.filter(pk=image.pk, status=Image.Status.PENDING).update(status=status, failure_reason=reason)
    settle_job(image.job_id)


def settle_job(job_id: int) -> None:
    """When no image of the job is pending, the job is done, partly failed, or failed."""
    statuses = list(Image.objects.filter(job_id=job_id).values_list("status", flat=True))
    if not statuses or Image.Status.PENDING in statuses:
        return
    stored = statuses.count(Image.Status.STORED)
    expired = statuses.count(Image.Status.EXPIRED)
    lost = len(statuses) - stored
    if not lost:
        status, code, message = Job.Status.DONE, "", ""
    else:
        code = "images_expired" if expired == lost else "download_failed"

        def what(count: int) -> str:
            it = "it" if count == 1 else "they"
            return f"expired before {it} could be downloaded" if expired == lost else "could not be downloaded"

        if stored:
            status = Job.Status.PARTIALLY_FAILED
            message = f"{lost} of {len(statuses)} images {what(lost)}."
        else:
            status = Job.Status.FAILED
            message = f"The image {what(1)}." if len(statuses) == 1 else f"All {len(statuses)} images {what(lost)}."
        reasons = set(Image.objects.filter(job_id=job_id, status=Image.Status.FAILED)
                      .values_list("failure_reason", flat=True))
        reason = reasons.pop() if len(reasons) == 1 and expired != lost else ""
        if reason:  # one cause for all (a refused host, say): the job says which, not only "could not"
            message += " " + reason
    settled = Job.objects.filter(pk=job_id, status=Job.Status.FETCHING).update(
        **Job.stamp(status), failure_code=code, failure_message=message
    )
    if settled:
        model, provider = Job.objects.filter(pk=job_id).values_list("model", "provider").first() or ("", "")
        metrics.job_reached(status, model=model, provider=provider)
        events.publish(job_id, events.SETTLED, status=status)
        discard_previews(job_id)


def discard_previews(job_id: int) -> None:
    """Partial images only stand in while the model works; once the job is settled their files go.

    The keys stay on the job as a record of what streamed (the page shows previews of unfinished
    jobs only). Best effort: a preview that cannot be deleted now is small and inert.
    """
    keys = Job.objects.filter(pk=job_id).values_list("previews", flat=True).first() or []
    for key in keys:
        try:
            storage.delete_key(key)
        except Exception:  # noqa: BLE001 - storage may be down; the files are small and inert
            log.warning("job %s: could not delete preview %s", job_id, key)
