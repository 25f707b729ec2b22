"""The prompt library: list and search presets, save one (from a job form or a job page), edit it, use it."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from studio.generation.models import Job

from .. import preset_selectors as selectors
from .. import preset_services as services
from ..models import fill
from ..preset_forms import PresetForm, VariablesForm, options_from


def _preset_or_404(request, preset_id):
    preset = selectors.visible_preset(request.user, preset_id)
    if preset is None:
        raise Http404("No such preset.")
    return preset, selectors.role_for(request.user, preset)


@login_required
def preset_list(request):
    query = request.GET.get("q", "")
    return render(request, "workflow/presets.html",
                  {"presets": selectors.visible_presets(request.user, query)[:200], "query": query})


def _initial_from_job_form(data) -> dict:
    options = options_from(data)
    return {"prompt_template": data.get("prompt", ""), "model": data.get("model", ""), "team": data.get("team") or None,
            "options": ", ".join(f"{k}={v}" for k, v in options.items())}


@login_required
def preset_new(request):
    """GET ?job=<id> starts from a job; a job form's "Save as preset" POSTs its fields (`from_form`)."""
    if request.method == "POST" and not request.POST.get("from_form"):
        form = PresetForm(request.POST, user=request.user)
        if form.is_valid():
            preset = services.create_preset(user=request.user, team=form.cleaned_data["team"], **form.preset_fields())
            messages.success(request, f"Saved the preset “{preset.name}”.")
            return redirect(preset)
        return render(request, "workflow/preset_form.html", {"form": form, "creating": True}, status=422)
    if request.method == "POST":
        initial = _initial_from_job_form(request.POST)
    elif request.GET.get("job"):
        job = Job.objects.visible_to(request.user).filter(pk=_int_or_404(request.GET["job"])).first()
        if job is None:
            raise Http404("No such job.")
        initial = _initial_from_job_form({"prompt": job.prompt, "model": job.model, **job.params})
    else:
        initial = {}
    form = PresetForm(user=request.user, initial=initial)
    return render(request, "workflow/preset_form.html", {"form": form, "creating": True})


def _int_or_404(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such job.") from None


@login_required
def preset_detail(request, preset_id):
    preset, role = _preset_or_404(request, preset_id)
    return render(request, "workflow/preset.html", {
        "preset": preset, "versions": preset.versions.select_related("changed_by"),
        "can_edit": preset.can_edit(request.user, role), "can_delete": preset.can_delete(request.user, role)})


@login_required
def preset_edit(request, preset_id):
    preset, role = _preset_or_404(request, preset_id)
    if not preset.can_edit(request.user, role):
        messages.error(request, "Only the team's members and owners (or the preset's author) can change it.")
        return redirect(preset)
    if request.method == "POST":
        form = PresetForm(request.POST, user=request.user, with_team=False)
        if form.is_valid():
            changed = services.change_preset(preset, user=request.user, **form.preset_fields())
            messages.success(request, f"Saved version {preset.version + 1}." if changed else "Nothing changed.")
            return redirect(preset)
        status = 422
    else:
        form = PresetForm(user=request.user, with_team=False, initial={
            "name": preset.name, "model": preset.model, "options": preset.options_text,
            "prompt_template": preset.prompt_template})
        status = 200
    return render(request, "workflow/preset_form.html", {"form": form, "preset": preset}, status=status)


@login_required
@require_POST
def preset_delete(request, preset_id):
    preset, role = _preset_or_404(request, preset_id)
    if not preset.can_delete(request.user, role):
        messages.error(request, "Only its author or the team's owners can delete this preset.")
        return redirect(preset)
    services.delete_preset(preset, user=request.user)
    messages.success(request, f"Deleted the preset “{preset.name}”.")
    return redirect("workflow:presets")


@login_required
def preset_use(request, preset_id):
    """Ask for the variables (if any), then open the generate form filled from the preset's current version."""
    preset, role = _preset_or_404(request, preset_id)
    version = preset.versions.get(number=preset.version)
    form = VariablesForm(request.GET if request.GET else None, template=preset.prompt_template)
    if form.fields and not form.is_valid():
        return render(request, "workflow/preset_use.html", {"preset": preset, "form": form},
                      status=422 if form.is_bound else 200)
    query = {"prompt": fill(preset.prompt_template, form.values() if form.fields else {}),
             "model": preset.model, **preset.params, "preset_version": version.pk}
    if preset.team_id and preset.team.lets_spend(request.user):
        query["team"] = preset.team_id
    return redirect(reverse("generation:new") + "?" + urlencode(query))
