"""Pages that start jobs: generate, edit (mask brush, uploads, adapting a picture), variation.

Each view parses and authorizes (images through `Image.objects.visible_to`, uploads through
`uploads.owns_key`), then calls one service.
"""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.gallery.imaging import content_type_for_key
from studio.gallery.models import Image
from studio.gallery.serving import serve_key
from studio.gallery.shortcuts import visible_image_or_404
from studio.models_registry.estimate import describe_estimate
from studio.models_registry.providers import get_provider
from studio.models_registry.registry import UnknownModel, get_model
from studio.spending.errors import JobRefused
from studio.spending.selectors import left_lines_for_form
from studio.models_registry.wording import upload_formats_text

from .. import services, uploads
from ..forms import EditForm, GenerateForm, VariationForm, initial_from_query
from ..models import Job
from ..signals import job_submitted_from_form


def _shown(request, job):
    """Tell whoever follows job forms (a preset the form was filled from), then show the job."""
    job_submitted_from_form.send(sender=Job, job=job, user=request.user, data=request.POST)
    return redirect(job)


# --- generate --------------------------------------------------------------------------------------


def _submitted(request, form, submit):
    """The job `submit()` made, with soft-budget warnings shown; None when refused (a budget, a rate limit):
    the reason is put at the top of the form, and the form keeps everything the person typed."""
    try:
        job = submit()
    except JobRefused as exc:
        form.add_error(None, exc.message)
        return None
    for warning in getattr(job, "budget_warnings", ()):
        messages.warning(request, warning)
    return job


@login_required
def new_job(request):
    if request.method == "POST":
        form = GenerateForm(request.POST, user=request.user)
        job = form.is_valid() and _submitted(
            request, form, lambda: services.submit_job(user=request.user, remember_team=True, **form.job_fields()))
        if job:
            return _shown(request, job)
        status = 422
    else:
        form = GenerateForm(user=request.user, initial=initial_from_query(request.GET))
        status = 200
    return render(request, "generation/new.html", {"form": form, "from_query": bool(request.GET)}, status=status)


# --- edit ------------------------------------------------------------------------------------------


def _stored_image(user, pk):
    image = visible_image_or_404(user, pk)
    if not image.is_stored:
        raise Http404("That image has not been stored yet.")
    return image


def _upload_key(request, params) -> str:
    """The upload named by `params`, if any: only its uploader may use it, and only while it exists."""
    key = params.get("upload", "")
    if key and not uploads.usable_key(request.user, key):
        raise Http404("No such upload.")
    return key


def edit_inputs(request, params):
    """The archive image (parent) and the upload key named by `params`, both checked for this person."""
    source = None
    if params.get("source"):
        try:
            source = _stored_image(request.user, int(params["source"]))
        except ValueError:
            raise Http404("No such image.") from None
    return source, _upload_key(request, params)


@login_required
def edit(request):
    params = request.POST if request.method == "POST" else request.GET
    source, key = edit_inputs(request, params)
    if not source and not key:
        if request.method == "POST":  # the picture went missing on the way (e.g. a hand-made request)
            return render(request, "generation/edit_start.html",
                          _start_context(request, "Choose a picture to edit first."), status=422)
        return render(request, "generation/edit_start.html", _start_context(request))
    preferred = source.model if source else None
    if request.method == "POST":
        form = EditForm(request.POST, request.FILES, user=request.user, source=source, upload_key=key)
        job = form.is_valid() and _submitted(request, form, lambda: _submit_edit(request, form))
        if job:
            return _shown(request, job)
        status = 422
    else:
        form = EditForm(user=request.user, source=source, upload_key=key, initial=initial_from_query(request.GET),
                        preferred_model=preferred)
        status = 200
    context = _picture_context(request, form, source, key)
    mask_key = request.GET.get("mask", "")
    if request.method == "GET" and mask_key and uploads.usable_key(request.user, mask_key):
        context["mask_url"] = reverse("generation:upload_file", args=[mask_key])  # "Use again" keeps the mask
    return render(request, "generation/edit.html", context, status=status)


def _start_context(request, error: str = "", *, model: str | None = None):
    """The "upload or choose a picture" page; after a refused upload it keeps the model that was chosen."""
    recent = Image.objects.visible_to(request.user).stored().order_by("-created_at")[:24]
    form = EditForm(user=request.user, preferred_model=model)
    return {"recent": recent, "error": error, "models": form.models, "default_model": form.initial.get("model"),
            "upload_formats": upload_formats_text()}


def _picture_context(request, form, source, key):
    measured = None
    try:
        measured = form.input_measured()
    except uploads.NotAnImage:
        pass
    notes = request.session.get("adapted", {}).get(key, []) if key else []
    # Whether each model on the menu takes the picture as it is: the server's own rules, in sentences;
    # the page only shows the ones for the model chosen.
    fit = {spec.name: [p.message for p in uploads.problems(spec, form.operation, measured)]
           for spec in form.models} if measured else {}
    input_url = reverse("generation:upload_file", args=[key]) if key else (
        reverse("gallery:file", args=[source.pk]) if source else "")
    return {
        "form": form,
        "source": source,
        "upload_key": key,
        "input_url": input_url,
        "measured": measured,
        "fit_problems": fit,
        "adapted_notes": notes,
        "prepare_url": reverse("generation:prepare") + "?" + urlencode(
            {k: v for k, v in (("source", source.pk if source else ""), ("for", form.operation)) if v}),
        "recent": Image.objects.visible_to(request.user).stored().order_by("-created_at")[:32]
        if form.operation == Job.Kind.EDIT else [],
    }


def _submit_edit(request, form):
    data = form.cleaned_data
    mask_key = ""
    if form.measured_mask:
        raw, measured = form.measured_mask
        mask_key = uploads.store(request.user, raw, measured.info.norm_format)
    ref_keys = [image.storage_key for image in data.get("reference_images") or []]
    ref_keys += [uploads.store(request.user, raw, m.info.norm_format) for raw, m in form.measured_refs]
    return services.submit_job(user=request.user, source_image=form.source, remember_team=True,
                               input_keys=[form.input_key, *ref_keys], mask_key=mask_key, **form.job_fields())


@login_required
@require_POST
def upload(request):
    """Take a picture to edit or vary; if the chosen model cannot take it, ask before changing it."""
    target = request.POST.get("for", "edit")
    f = request.FILES.get("image")
    try:
        if not f:
            raise uploads.UploadRefused("Choose a picture to upload.")
        data, measured = uploads.read_picture(f)
    except uploads.UploadRefused as exc:
        return render(request, "generation/edit_start.html",
                      _start_context(request, str(exc), model=request.POST.get("model")), status=422)
    key = uploads.store(request.user, data, measured.info.norm_format)
    query = {"upload": key, "for": target}
    if request.POST.get("model"):
        query["model"] = request.POST["model"]
    return redirect(reverse("generation:prepare") + "?" + urlencode(query))


def _spec_or_404(name):
    try:
        return get_model(name)
    except UnknownModel:
        raise Http404("No such model.") from None


@login_required
def prepare(request):
    """Check a picture against a model; when it does not fit, show why and adapt a copy only on consent."""
    params = request.POST if request.method == "POST" else request.GET
    source, key = edit_inputs(request, params)
    if not source and not key:
        return redirect("generation:edit")
    operation = params.get("for", "edit") if params.get("for") in ("edit", "variation") else "edit"
    picker = (EditForm if operation == "edit" else VariationForm)(user=request.user)
    names = [spec.name for spec in picker.models]
    model = params.get("model") or (source.model if source and source.model in names else picker.initial["model"])
    if model not in names:
        model = picker.initial["model"]
    spec = _spec_or_404(model)
    data = uploads.read_key(key or source.storage_key)
    measured = uploads.measure(data)
    found = uploads.problems(spec, operation, measured)
    plan = uploads.plan(spec, operation, measured)
    next_query = {"model": model}
    if source:
        next_query["source"] = source.pk
    if request.method == "POST":
        if request.POST.get("consent") != "yes" or not plan.needed:
            return HttpResponseBadRequest("Nothing to adapt without consent.")
        square_mode = request.POST.get("square", "pad")
        if square_mode not in uploads.SQUARE_MODES:
            return HttpResponseBadRequest("Choose pad or crop to make the picture square.")
        adapted = uploads.adapt(data, plan, square_mode=square_mode)
        new_key = uploads.store(request.user, adapted.data, adapted.measured.info.norm_format)
        notes = request.session.get("adapted", {})
        notes[new_key] = list(adapted.notes)
        request.session["adapted"] = dict(list(notes.items())[-20:])
        next_query["upload"] = new_key
        return redirect(_target_url(operation, source, next_query))
    if not found:
        if key:
            next_query["upload"] = key
        return redirect(_target_url(operation, source, next_query))
    return render(request, "generation/prepare.html", {
        "source": source, "upload_key": key, "operation": operation, "spec": spec, "measured": measured,
        "problems": found, "plan": plan, "models": picker.models,
        "input_url": reverse("generation:upload_file", args=[key]) if key else reverse("gallery:file", args=[source.pk]),
    })


def _target_url(operation, source, query):
    if operation == "variation" and source:
        query = {k: v for k, v in query.items() if k != "source"}
        return reverse("generation:variation", args=[source.pk]) + "?" + urlencode(query)
    return reverse("generation:edit") + "?" + urlencode(query)


@login_required
def upload_file(request, key):
    """An upload's bytes, for its uploader only (the mask brush paints over it)."""
    if not uploads.owns_key(request.user, key):
        raise Http404("No such upload.")
    return serve_key(key, content_type=content_type_for_key(key))


# --- variation ------------------------------------------------------------------------------------


@login_required
def variation(request, pk):
    source = _stored_image(request.user, pk)
    key = _upload_key(request, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        form = VariationForm(request.POST, user=request.user, source=source, upload_key=key)
        # The image page's quick form sends "from=image-page": its Share with follows the image, so it is
        # not a choice to remember for the next full form.
        job = form.is_valid() and _submitted(request, form, lambda: services.submit_job(
            user=request.user, source_image=source, input_keys=[form.input_key],
            remember_team=request.POST.get("from") != "image-page", **form.job_fields()))
        if job:
            return _shown(request, job)
        status = 422
    else:
        form = VariationForm(user=request.user, source=source, upload_key=key, preferred_model=source.model,
                             initial=initial_from_query(request.GET))
        status = 200
    return render(request, "generation/variation.html", _picture_context(request, form, source, key), status=status)


@login_required
def cost_estimate(request):
    """A line of text for the form: what the chosen options would cost, from the registry's prices, and what
    is left of each budget the job would count against."""
    line = describe_estimate(request.GET, standin=get_provider().is_standin)
    left = left_lines_for_form(request.user, request.GET.get("team"))
    return HttpResponse(" · ".join([part for part in (line, *left) if part]), content_type="text/plain; charset=utf-8")
