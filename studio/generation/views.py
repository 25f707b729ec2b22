from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from . import selectors, services
from .forms import GenerateForm


@login_required
def new_job(request):
    if request.method == "POST":
        form = GenerateForm(request.POST, user=request.user)
        if form.is_valid():
            job = services.submit_job(user=request.user, **form.job_fields())
            return redirect(job)
        status = 422
    else:
        form = GenerateForm(user=request.user)
        status = 200
    return render(request, "generation/new.html", {"form": form}, status=status)


def _job_or_404(request, pk):
    job = selectors.visible_job(request.user, pk)
    if job is None:
        raise Http404("No such job.")
    return job


@login_required
def job_detail(request, pk):
    job = _job_or_404(request, pk)
    return render(request, "generation/job.html", {"job": job, "images": list(job.images.all())})


@login_required
def job_status(request, pk):
    """The fragment the job page polls; it stops polling by leaving out its trigger once finished."""
    job = _job_or_404(request, pk)
    return render(request, "generation/_status.html", {"job": job, "images": list(job.images.all())})


@login_required
def job_list(request):
    return render(request, "generation/jobs.html", {"jobs": selectors.recent_jobs(request.user)})


@login_required
def cost_estimate(request):
    """A line of text for the form: what the chosen options would cost, from the registry's prices."""
    text = services.describe_estimate(request.GET)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
