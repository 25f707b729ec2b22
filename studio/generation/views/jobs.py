"""Pages that follow jobs: the job page and its live status, previews, Try again, the jobs list, compare.

Jobs are read through `Job.objects.visible_to`, images through `Image.objects.visible_to`: a job page
shows only the pictures (and revised prompts) its viewer may see now.
"""
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from studio.gallery.imaging import content_type_for_key
from studio.gallery.selectors import visible_image
from studio.gallery.serving import serve_key
from studio.gallery.shortcuts import visible_image_or_404

from studio.spending.errors import JobRefused

from .. import selectors, services
from ..links import generate_form_url


def _job_or_404(request, pk):
    job = selectors.visible_job(request.user, pk)
    if job is None:
        raise Http404("No such job.")
    return job


def _status_context(request, job):
    images = selectors.job_images(request.user, job)  # revised prompts too: only from pictures still visible
    revised = next((i.revised_prompt for i in images if i.revised_prompt), "")
    return {"job": job, "images": images, "progress": selectors.progress(job, images), "revised": revised,
            "may_retry": job.owner_id == request.user.pk and job.retry_can_help,
            "retry_team": partial(services.retry_team, job, request.user),  # asked only beside Try again
            "change_prompt_url": generate_form_url(prompt=job.prompt, model=job.model, params=job.params,
                                                   team_id=job.team_id),
            "revised_url": generate_form_url(prompt=revised, model=job.model, params=job.params,
                                             team_id=job.team_id)}


@login_required
def job_detail(request, pk):
    job = _job_or_404(request, pk)
    source = visible_image(request.user, job.source_image_id) if job.source_image_id else None
    return render(request, "generation/job.html", {**_status_context(request, job), "source": source})


@login_required
def job_status(request, pk):
    """The fragment the job page polls; it stops polling by leaving out its trigger once finished."""
    job = _job_or_404(request, pk)
    template = "generation/_status_badge.html" if request.GET.get("compact") else "generation/_status.html"
    return render(request, template, {**_status_context(request, job), "oob": True})


@login_required
def job_preview(request, pk, index):
    """A partial image the model streamed while working; same door as the job itself."""
    job = _job_or_404(request, pk)
    try:
        key = job.previews[index]
    except (IndexError, TypeError):
        raise Http404("No such preview.") from None
    return serve_key(key, content_type=content_type_for_key(key, "image/png"))


@login_required
@require_POST
def job_retry(request, pk):
    job = _job_or_404(request, pk)
    if job.owner_id != request.user.pk:
        raise Http404("No such job.")
    if not services.inputs_still_visible(job, request.user):
        messages.error(request, "A picture this job starts from is no longer yours to use (it was moved to the "
                                "trash, or is no longer shared with you), so Studio cannot send it again.")
        return redirect(job)
    try:
        new = services.retry_job(job, user=request.user)
    except JobRefused as exc:
        messages.error(request, exc.message)
        return redirect(job)
    for warning in new.budget_warnings:
        messages.warning(request, warning)
    messages.info(request, f"Trying job {job.pk} again with the same settings.")
    return redirect(new)


@login_required
def job_list(request):
    return render(request, "generation/jobs.html", {"jobs": selectors.recent_jobs(request.user)})


@login_required
def compare(request, a, b):
    left = visible_image_or_404(request.user, a)
    right = visible_image_or_404(request.user, b)
    return render(request, "generation/compare.html", {"left": left, "right": right})
