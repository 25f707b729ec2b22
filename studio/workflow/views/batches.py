"""Batches: list, "New batch", a batch's page with its progress (polled), cancel, retry, the ZIP."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from studio.gallery.export import stream_zip
from studio.gallery.services import record_export
from studio.spending.errors import JobRefused

from .. import batch_selectors as selectors
from .. import batch_services as services
from .. import watching
from ..batch_forms import BatchForm


def _batch_or_404(request, batch_id):
    batch = selectors.visible_batch(request.user, batch_id)
    if batch is None:
        raise Http404("No such batch.")
    return batch


def _own_batch_or_404(request, batch_id):
    """Cancel and retry are its maker's: a teammate watches a batch, they do not steer it."""
    batch = _batch_or_404(request, batch_id)
    if batch.owner_id != request.user.pk:
        raise PermissionDenied("Only the person who made this batch may cancel or retry it.")
    return batch


@login_required
def batch_list(request):
    return render(request, "workflow/batches.html", {"batches": selectors.visible_batches(request.user)[:200]})


@login_required
def batch_new(request):
    if request.method != "POST":
        initial = {"preset": request.GET.get("preset")} if request.GET.get("preset") else {}
        return render(request, "workflow/batch_form.html", {"form": BatchForm(user=request.user, initial=initial)})
    form = BatchForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            batch = services.submit_batch(user=request.user, **form.batch_fields())
        except (JobRefused, PermissionDenied) as exc:
            form.add_error(None, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, f"Submitted {batch.items.count()} jobs as “{batch.name}”.")
            return redirect(batch)
    return render(request, "workflow/batch_form.html", {"form": form}, status=422)


@login_required
def batch_detail(request, batch_id):
    batch = _batch_or_404(request, batch_id)
    watching.mark("batch", batch.pk, request.user.pk)
    return render(request, "workflow/batch.html",
                  {"batch": batch, "progress": selectors.progress(request.user, batch)})


@login_required
def batch_progress(request, batch_id):
    """The fragment the page polls (htmx) until every job is finished."""
    batch = _batch_or_404(request, batch_id)
    watching.mark("batch", batch.pk, request.user.pk)  # the page is open: its end needs no notification
    return render(request, "workflow/_batch_progress.html",
                  {"batch": batch, "progress": selectors.progress(request.user, batch)})


@login_required
@require_POST
def batch_cancel(request, batch_id):
    batch = _own_batch_or_404(request, batch_id)
    count = services.cancel_batch(batch, user=request.user)
    messages.success(request, f"Cancelled {count} job(s) that had not started." if count
                     else "Every job had already started; nothing was cancelled.")
    return redirect(batch)


@login_required
@require_POST
def batch_retry(request, batch_id):
    batch = _own_batch_or_404(request, batch_id)
    try:
        count = services.retry_batch(batch, user=request.user)
    except JobRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Sent {count} failed job(s) again." if count else "No job has failed.")
    return redirect(batch)


@login_required
def batch_download(request, batch_id):
    batch = _batch_or_404(request, batch_id)
    record_export(user=request.user, scope=f"batch-{batch.pk}", team=batch.team)
    images = selectors.batch_images(request.user, batch).iterator(chunk_size=200)
    response = StreamingHttpResponse(stream_zip(images, user=request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="studio-batch-{batch.pk}-{timezone.now():%Y%m%d-%H%M}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
