"""Links that open a job form filled in, for "Use again" and "Use revised prompt"."""
from urllib.parse import urlencode

from django.urls import reverse

from studio.models_registry.registry import FORM_OPTIONS

from .models import Job


def _query(*, prompt: str, model: str, params: dict | None, team_id: int | None) -> dict:
    params = params or {}
    query = {"prompt": prompt, "model": model} if prompt else {"model": model}
    query.update({k: params[k] for k in FORM_OPTIONS if params.get(k) not in (None, "")})
    if team_id:
        query["team"] = team_id
    return query


def generate_form_url(*, prompt: str, model: str, params: dict | None = None, team_id: int | None = None) -> str:
    """The generate form's address with the prompt and every option the form knows, as GET values."""
    return reverse("generation:new") + "?" + urlencode(_query(prompt=prompt, model=model, params=params,
                                                              team_id=team_id))


def use_again_url(image_or_job) -> str:
    """The same kind of job again, with the same prompt, model, options and team.

    An edit reopens the mask brush on the same source picture with the same mask (the edit page shows
    the mask only to whoever may use that upload, i.e. who painted it), a variation reopens the variation
    form of the same source; a generation opens the generate form.
    """
    job = image_or_job if isinstance(image_or_job, Job) else image_or_job.job
    query = _query(prompt=image_or_job.prompt, model=image_or_job.model, params=image_or_job.params,
                   team_id=image_or_job.team_id)
    if job.kind == Job.Kind.EDIT and (job.source_image_id or job.input_keys):
        picture = {"source": job.source_image_id} if job.source_image_id else {"upload": job.input_keys[0]}
        mask = {"mask": job.mask_key} if job.mask_key else {}
        return reverse("generation:edit") + "?" + urlencode({**picture, **mask, **query})
    if job.kind == Job.Kind.VARIATION and job.source_image_id:
        return reverse("generation:variation", args=[job.source_image_id]) + "?" + urlencode(query)
    return reverse("generation:new") + "?" + urlencode(query)


def use_revised_prompt_url(image) -> str:
    return generate_form_url(prompt=image.revised_prompt, model=image.model, params=image.params,
                             team_id=image.team_id)
